"""manage.py sweep_services: the scheduled reminder sweep of assisted services (帮办代办); run it
every hour or so. Each resident whose booked slot starts within the next day is reminded once:
the request's reminded_at mark, set under its row lock, makes a rerun (or two at once) send
nothing more."""

from django.core.management.base import BaseCommand

from linju.services import services


class Command(BaseCommand):
    help = "Remind residents of their assisted-service appointments in the next day (once each)."

    def handle(self, *args, **options):
        sent = services.send_reminders()
        if options["verbosity"]:
            self.stdout.write(f"sent {sent} reminders")
