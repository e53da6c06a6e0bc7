from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.offices.st3 import validate_st3_code


class ST3CodeField(models.CharField):
    """A WIPO ST.3 code; what people type ("au ", "Au") is stored as "AU"."""

    description = _("WIPO ST.3 code")

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 2
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["max_length"]
        return name, path, args, kwargs

    @property
    def validators(self):
        return [*super().validators, validate_st3_code]

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().upper() if isinstance(value, str) else value

    def formfield(self, **kwargs):
        # The form field accepts a mistyped longer value so that the validator,
        # not a bare "at most 2 characters", explains what is wrong.
        kwargs.setdefault("max_length", 60)
        field = super().formfield(**kwargs)
        field.widget.attrs.update({"autocapitalize": "characters", "size": 4})
        return field
