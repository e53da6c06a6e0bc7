from django import forms


class LanguageSelect(forms.Select):
    """A select of languages whose options each say which language they are written in."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option
