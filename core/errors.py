"""The errors services raise, in the domain's words.

Services never raise HTTP errors: the API turns these into status codes in one place
(core.api.exception_handler) and the pages into messages in one place (web.errors). Invalid input
is Django's ValidationError, mapped the same way. Every message is safe to show to the person
who asked.
"""


class DomainError(Exception):
    default_message = "The request could not be carried out."

    def __init__(self, message: str = ""):
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(DomainError):
    """The object does not exist for the person asking (a stranger's object neither)."""

    default_message = "Not found."


class Conflict(DomainError):
    """The object's current state does not allow this now (already paid, already cancelled)."""

    default_message = "Conflict."


class SlotTaken(Conflict):
    """Someone else holds the trainer's time."""

    default_message = "The trainer already has a booking at this time."


class PaymentDeclined(DomainError):
    """The card was refused: the message is the processor's, meant for the cardholder."""

    default_message = "Your card was declined."


class PaymentServiceError(DomainError):
    """The payment processor could not be reached or refused the request."""

    default_message = "Payment processing error."
