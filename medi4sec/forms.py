"""How every form in the project renders: Django's, allauth's, the portal's and Wagtail's.

One renderer, named by ``FORM_RENDERER``, so no form needs its own settings: labels without a
trailing colon, and a whole form (``{{ form }}``) opens with the error summary when it has errors
(``templates/components/form.html``). The templates come from the project's own engine, so the
project's templates can stand in for Django's.
"""

from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


class PlainLabelBoundField(BoundField):
    """A bound field whose label ends with no suffix unless a template asks for one."""

    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        return super().label_tag(contents, attrs, label_suffix or "", tag)


class FormRenderer(TemplatesSetting):
    form_template_name = "components/form.html"
    bound_field_class = PlainLabelBoundField
