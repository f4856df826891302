"""`manage.py demo_logins`: print the demo login table again."""

from django.core.management.base import BaseCommand

from linju.people import demo


class Command(BaseCommand):
    help = "Print the demo login of every role (after load_demo)."

    def handle(self, *args, **options):
        rows = demo.demo_logins()
        if not rows:
            self.stdout.write("No demo logins: run `manage.py load_demo` first.")
            return
        self.stdout.write(demo.format_logins(rows))
        self.stdout.write("")
        self.stdout.write(
            f"Password for every demo login: {demo.DEMO_PASSWORD} (unless changed since)."
        )
