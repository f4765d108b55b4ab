"""Form helpers shared by every app: Bootstrap styling and showing a service's errors."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def bootstrap(form: forms.BaseForm, size: str = "") -> None:
    """Give every widget its Bootstrap 5 class (idempotent); `size` is "" or "sm"."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        for name in (css, f"{css}-{size}" if size and css != "form-check-input" else ""):
            if name and name not in classes:
                classes.append(name)
        widget.attrs["class"] = " ".join(classes)


class BootstrapForm(forms.Form):
    """A form styled for Bootstrap; subclasses that add fields call `bootstrap(self)` again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the fields it names, else above."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
