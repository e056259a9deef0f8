"""Error messages in the page's language, by error code: the services speak English, a page speaks its reader's.

A code without a message of its own gets its family's ("search.*": this query cannot be searched), with the
service's English message after it; nothing is ever hidden."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kartoteka.core.errors import KartotekaError
from kartoteka.web.render import N_


@dataclass(frozen=True)
class PageError:
    title: str
    message: str
    hint: str
    code: str


# code -> (message, hint); %(name)s placeholders are filled from the error's details.
MESSAGES: dict[str, tuple[str, str]] = {
    "search.empty_query": (N_("Type a name to search for."),
                           N_("A surname alone is enough, in kanji, kana, romaji or Cyrillic.")),
    "search.too_long": (N_("The query is too long to be a name."),
                        N_("Type the surname, or the surname and the given name.")),
    "search.no_letters": (N_("The query has no letters, so it cannot be a name."),
                          N_("Type the name in kanji, kana, romaji or Cyrillic.")),
    "search.prefecture": (N_("There is no such prefecture."),
                          N_("Choose a prefecture from the list, or write it as 山形県, 山形 or Yamagata.")),
    "search.fate": (N_("There is no such fate."), N_("Choose died, repatriated or unknown.")),
    "search.parameter": (N_("The value of “%(parameter)s” is not valid."),
                         N_("Check what you typed in that field and search again.")),
    "search.no_records": (N_("This site holds no records yet."), N_("Records appear here once they are imported.")),
    "search.stale_index": (N_("The search is being brought up to date."), N_("Please try again later.")),
    "usage.parameter": (N_("The value of “%(parameter)s” is not valid."),
                        N_("Check what you typed in that field and search again.")),
    "catalog.not_found": (N_("There is no such person or record here."),
                          N_("The address may be mistyped; search for the name instead.")),
    "catalog.gone": (N_("This person's records were regrouped."), N_("Follow the links to where they are now.")),
    "catalog.row": (N_("There is no such row in the memorial list."), N_("Choose a row from the list.")),
    "catalog.prefecture": (N_("There is no such prefecture."), N_("Choose a prefecture from the list.")),
    "catalog.paging": (N_("There is no such page of the list."), N_("Start again from the list's first page.")),
    "catalog.correction": (N_("The correction could not be kept."),
                           N_("Write what should be corrected (at most a few thousand characters).")),
    "web.not_found": (N_("There is no page at this address."), N_("Start again from the search.")),
    "web.method": (N_("This address does not take that kind of request."), N_("Start again from the search.")),
    "web.origin": (N_("The form was sent from another site, so it was not accepted."),
                   N_("Send the correction from the person's page on this site.")),
    "web.csrf": (N_("The form has expired or was sent from another site, so it was not accepted."),
                 N_("Reload the page and send the form again.")),
    "web.rate_limited": (N_("Too many requests from your address."),
                         N_("Wait a minute, then try again.")),
    "auth.required": (N_("Sign in to see this page."), N_("Sign in with the account an administrator made for you.")),
    "auth.forbidden": (N_("Your account may not see this."),
                       N_("A person's file is shown to the family after their request is granted, and to the "
                          "reviewers.")),
    "auth.failed": (N_("The name or the password is wrong."),
                    N_("After five wrong passwords in a row the account is locked for fifteen minutes.")),
    "auth.locked": (N_("This account is locked after repeated wrong passwords."),
                    N_("Try again in fifteen minutes, or ask an administrator.")),
    "auth.token": (N_("The API token is not valid."), N_("Ask an administrator for a new token.")),
    "requests.invalid": (N_("The request is not complete."), N_("Fill in every field of the request.")),
    "requests.proof": (N_("The proof file cannot be accepted."),
                       N_("Attach a scan or photo as a PDF, JPEG or PNG of at most 5 MB.")),
    "review.conflict": (N_("%(reviewer)s has already answered “%(answer)s” for these records (decision "
                           "%(decision_id)s), so your answer was not kept; nothing was overwritten."),
                        N_("Talk it over with them: once they undo their answer, yours can be kept.")),
    "requests.decided": (N_("This request has already been decided."), ""),
    "store.overloaded": (N_("The server is busy with many requests just now."),
                         N_("Please try again in a few seconds.")),
    "store.busy": (N_("The records are being updated just now."), N_("Please try again in a minute.")),
    "web.internal": (N_("Something went wrong on the server. The error has been logged."),
                     N_("Please try again later.")),
}
FAMILIES: dict[str, tuple[str, str]] = {
    "search": (N_("This query cannot be searched."), ""),
    "catalog": (N_("This cannot be shown."), ""),
    "usage": (N_("Something in the request is not valid."), ""),
    "review": (N_("This answer was not kept."), ""),
    "store": (N_("The records cannot be reached just now."), N_("Please try again later.")),
}
TITLES: dict[int, str] = {400: N_("This request cannot be answered"), 401: N_("Sign in"), 403: N_("Not allowed"),
                          404: N_("Not found"), 429: N_("Too many requests"),
                          405: N_("Not allowed"), 409: N_("Not kept"), 410: N_("Moved"), 500: N_("Server error"),
                          503: N_("Not available just now")}


def page_error(exc: KartotekaError, status: int, gettext: Any) -> PageError:
    """The error's message and hint in the page's language (gettext of that language)."""
    title = gettext(TITLES.get(status, TITLES[400]))
    known = MESSAGES.get(exc.code)
    if known:
        return PageError(title, _fill(gettext(known[0]), exc), _fill(gettext(known[1]), exc) if known[1] else "",
                         exc.code)
    family = FAMILIES.get(exc.code.split(".")[0])
    if family:
        message = f"{gettext(family[0])} ({exc.message})"
        return PageError(title, message, gettext(family[1]) if family[1] else exc.hint, exc.code)
    return PageError(title, exc.message, exc.hint, exc.code)


def _fill(text: str, exc: KartotekaError) -> str:
    try:
        return text % {key: str(value) for key, value in exc.details.items()} if "%(" in text else text
    except (KeyError, ValueError, TypeError):
        return exc.message
