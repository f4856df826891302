"""Money on the co-creation pages (DESIGN §4: integer fen everywhere): an amount typed in yuan
("12.50", "1,200") becomes fen exactly (Decimal, never float), and fen are shown as yuan."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 100 million yuan (1 亿元): more is a typing error, not a community's fund or project.
MAX_FEN = 10_000_000_000

AMOUNT = _("Give an amount in yuan, like 12.50.")


def yuan_to_fen(text, *, allow_zero: bool = False) -> int:
    """ "12.5" → 1250: at most two decimals, more than zero (or zero when allowed)."""
    try:
        amount = Decimal(str(text).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(AMOUNT) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(AMOUNT)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(AMOUNT)
    fen = int(amount * 100)
    if fen > MAX_FEN:
        raise ValidationError(_("The amount is too large."))
    return fen


def fen_to_yuan(fen) -> str:
    """A form's initial value: 1250 → "12.50"."""
    return f"{Decimal(int(fen or 0)) / 100:.2f}"


def yuan_text(fen) -> str:
    """For reading: 123456 → "1,234.56" (exact, with the sign)."""
    sign = "-" if int(fen) < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


class YuanField(forms.CharField):
    """An amount in yuan cleaned to integer fen. Where zero is allowed an empty field is 0;
    otherwise an empty optional field is None."""

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.allow_zero = allow_zero
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return 0 if self.allow_zero else None
        return yuan_to_fen(text, allow_zero=self.allow_zero)
