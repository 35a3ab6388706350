"""``{{ problem|problem_message }}``: a stored import problem's message in the reader's language."""

from django import template

from households.importing.messages import problem_message as _problem_message

register = template.Library()


@register.filter
def problem_message(problem: dict) -> str:
    """The message of a problem of a batch's report (``messages.problem_message``)."""
    return _problem_message(problem)
