"""The report's fixed texts in each language, and numbers, money and dates per locale.

`Texts(lang)` gives the catalogue of one language (English for a language the
catalogue lacks) and formats with Babel, imported when a report is built:
`Texts("fr").money(948646, "EUR")` is `948 646 €`, in English `€948,646`.
Every renderer (templates, xlsx, docx) takes its headings and sentences from here.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from babel import Locale

#: Longer whole numbers are left to Babel (figures beyond 10^15 are `out-of-range`).
_LAYOUT_DIGITS = 18


def _digit_layout(formatted: str, digits: str) -> str:
    """`formatted` (a number of `len(digits)` nines) as a `str.format` template with a field
    per digit place; "" when it does not hold exactly that many ASCII digits, all nines."""
    places = [c for c in formatted if "0" <= c <= "9"]
    if places != ["9"] * len(digits):
        return ""
    escaped = formatted.replace("{", "{{").replace("}", "}}")
    return escaped.replace("9", "{}")


MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "report": "Report",
        "contents": "Contents",
        "introduction": "Introduction",
        "summary": "Summary",
        "summary_lead": "The headline outcomes of the survey:",
        "findings": "Findings",
        "said": "What partners said",
        "lessons": "Lessons",
        "methodology": "Methodology",
        "appendices": "Appendices",
        "appendix_answers": "Appendix: answers per partner",
        "appendix_conflicts": "Appendix: conflicts between sources",
        "appendix_quality": "Appendix: data quality",
        "appendix_provenance": "Appendix: provenance of the figures",
        "appendix_inputs": "Appendix: input files",
        "author": "Author",
        "network": "Network",
        "survey_date": "Date of the survey",
        "questionnaire_line": "Questionnaire: {title} (version {version}).",
        "response_rate": "{returned} of {expected} partners returned the questionnaire ({rate}).",
        "interviews_one": "{n} follow-up interview was held.",
        "interviews_other": "{n} follow-up interviews were held.",
        "interviews_none": "No follow-up interview was recorded.",
        "not_returned": "Not returned: {names}.",
        "all_returned": "Every expected respondent returned a questionnaire.",
        "respondents_by_role": "Respondents by role",
        "role": "Role",
        "respondents": "Respondents",
        "currency_line": "Amounts are given in {currency}.",
        "rates_line": "Amounts in other currencies were converted with these rates: {rates}.",
        "no_rates": "No exchange rate was needed: every amount is in {currency}.",
        "questions_asked": "The questions as asked",
        "roles.city": "Partner cities",
        "roles.managing_authority": "Managing authorities",
        "roles.interview": "Follow-up interviews",
        "roles.other": "Other respondents",
        "source.city": "city questionnaire",
        "source.managing_authority": "managing authority questionnaire",
        "source.interview": "interview",
        "source.interview_ma": "interview with the managing authority",
        "source.other": "other respondent",
        "type.short_text": "short text",
        "type.long_text": "open question",
        "type.single_choice": "one choice",
        "type.multiple_choice": "one or more choices",
        "type.yes_no": "yes/no",
        "type.integer": "whole number",
        "type.decimal": "number",
        "type.money": "amount of money",
        "type.date": "date",
        "yes": "Yes",
        "no": "No",
        "note": "Note",
        "partners_line": "Partners: {names}.",
        "breakdown_item": "{label}: {count}",
        "quote_who": "{partner} ({source}):",
        "no_partner_counted": "No partner is counted for this figure.",
        "no_indicators": "The questionnaire defines no headline figure.",
        "section_empty": "No partner gave an answer in this section.",
        "no_quotes": "No partner wrote an answer to the open questions of this section.",
        "no_lessons": "The thematic expert has not coded any lesson yet.",
        "figure": "Figure {n}. {title}",
        "chart_by_partner": "{label}, by partner",
        "chart_note": "{unit}; n = {base} partners. Source: {source}.",
        "chart_source": "partner questionnaires and follow-up interviews, {survey}",
        "chart_source_questionnaires": "partner questionnaires, {survey}",
        "unit.partners": "Number of partners",
        "unit.amount": "Amount in {currency}",
        "unit.value": "Value",
        "partner": "Partner",
        "question": "Question",
        "answer": "Answer",
        "source": "Source",
        "file": "File",
        "sheet": "Sheet",
        "cell": "Cell",
        "value": "Value",
        "used": "Used",
        "other_answers": "Other answers",
        "status": "Status",
        "severity": "Severity",
        "location": "Location",
        "problem": "Problem",
        "what_to_do": "What to do",
        "severity.error": "error",
        "severity.warning": "warning",
        "conflicts_intro": "Where a partner's sources disagree, the report uses one answer; "
        "the others are listed here.",
        "no_conflicts": "No conflicts: where there were several sources, they agreed.",
        "quality_line": "{errors} and {warnings} in {files}.",
        "n_error_one": "{n} error",
        "n_error_other": "{n} errors",
        "n_warning_one": "{n} warning",
        "n_warning_other": "{n} warnings",
        "n_amount_one": "{n} amount",
        "n_amount_other": "{n} amounts",
        "n_file_one": "{n} file",
        "n_file_other": "{n} files",
        "no_issues": "No problem was found in the input files.",
        "no_file": "(no file)",
        "provenance_intro": "Each headline figure and the answers it was computed from.",
        "no_sources": "No answer was counted.",
        "no_inputs": "No input file.",
        "no_answers": "No answers.",
        "no_partners": "No partner returned anything yet.",
        "footer": "Report generated by urbsurvey {version} on {date}. "
        "Definition fingerprint {fingerprint}.",
        "hidden": "hidden by the skip logic: not counted",
        "left_out.amount": "amount",
        "left_out.amount_many": "amounts",
        "left_out.answer": "answer",
        "left_out.answer_many": "answers",
        "left_out.no_rate": "{n} {what} could not be converted ({names})",
        "left_out.no_rate_many": "{n} {what} could not be converted ({names})",
        "left_out.no_currency": "{n} {what} had no currency ({names})",
        "left_out.no_currency_many": "{n} {what} had no currency ({names})",
        "left_out.out_of_range": "{n} {what} was out of range ({names})",
        "left_out.out_of_range_many": "{n} {what} were out of range ({names})",
        "left_out.unreadable": "{n} {what} could not be read ({names})",
        "left_out.unreadable_many": "{n} {what} could not be read ({names})",
        "left_out_line": "Left out: {items}.",
        "assumed_line": "The currency of {n} typed without one was assumed (currency-assumed in "
        "the data-quality appendix).",
        "in_currency": "In {currency}",
        "as_typed": "as typed",
        "xlsx.indicator": "Indicator",
        "xlsx.unit": "Unit",
        "xlsx.display": "As shown",
        "xlsx.partners": "Partners",
        "xlsx.sentence": "Sentence",
        "xlsx.group": "Group",
        "xlsx.theme": "Theme",
        "xlsx.description": "Description",
        "xlsx.excerpt": "Excerpt",
        "page": "Page",
    },
    "fr": {
        "report": "Rapport",
        "contents": "Sommaire",
        "introduction": "Introduction",
        "summary": "Synthèse",
        "summary_lead": "Les principaux résultats de l'enquête :",
        "findings": "Résultats",
        "said": "Ce que disent les partenaires",
        "lessons": "Enseignements",
        "methodology": "Méthodologie",
        "appendices": "Annexes",
        "appendix_answers": "Annexe : réponses par partenaire",
        "appendix_conflicts": "Annexe : divergences entre sources",
        "appendix_quality": "Annexe : qualité des données",
        "appendix_provenance": "Annexe : origine des chiffres",
        "appendix_inputs": "Annexe : fichiers reçus",
        "author": "Auteur",
        "network": "Réseau",
        "survey_date": "Date de l'enquête",
        "questionnaire_line": "Questionnaire : {title} (version {version}).",
        "response_rate": "{returned} partenaires sur {expected} ont renvoyé le questionnaire "
        "({rate}).",
        "interviews_one": "{n} entretien de suivi a été mené.",
        "interviews_other": "{n} entretiens de suivi ont été menés.",
        "interviews_none": "Aucun entretien de suivi n'a été enregistré.",
        "not_returned": "Pas de réponse : {names}.",
        "all_returned": "Tous les répondants attendus ont renvoyé un questionnaire.",
        "respondents_by_role": "Répondants par rôle",
        "role": "Rôle",
        "respondents": "Répondants",
        "currency_line": "Les montants sont exprimés en {currency}.",
        "rates_line": "Les montants en d'autres devises ont été convertis aux taux suivants : "
        "{rates}.",
        "no_rates": "Aucun taux de change n'a été nécessaire : tous les montants sont en "
        "{currency}.",
        "questions_asked": "Les questions posées",
        "roles.city": "Villes partenaires",
        "roles.managing_authority": "Autorités de gestion",
        "roles.interview": "Entretiens de suivi",
        "roles.other": "Autres répondants",
        "source.city": "questionnaire de la ville",
        "source.managing_authority": "questionnaire de l'autorité de gestion",
        "source.interview": "entretien",
        "source.interview_ma": "entretien avec l'autorité de gestion",
        "source.other": "autre répondant",
        "type.short_text": "texte court",
        "type.long_text": "question ouverte",
        "type.single_choice": "un choix",
        "type.multiple_choice": "un ou plusieurs choix",
        "type.yes_no": "oui/non",
        "type.integer": "nombre entier",
        "type.decimal": "nombre",
        "type.money": "montant",
        "type.date": "date",
        "yes": "Oui",
        "no": "Non",
        "note": "Remarque",
        "partners_line": "Partenaires : {names}.",
        "breakdown_item": "{label} : {count}",
        "quote_who": "{partner} ({source}) :",
        "no_partner_counted": "Aucun partenaire n'est compté pour ce chiffre.",
        "no_indicators": "Le questionnaire ne définit aucun chiffre clé.",
        "section_empty": "Aucun partenaire n'a répondu dans cette section.",
        "no_quotes": "Aucun partenaire n'a répondu aux questions ouvertes de cette section.",
        "no_lessons": "L'expert thématique n'a encore codé aucun enseignement.",
        "figure": "Figure {n}. {title}",
        "chart_by_partner": "{label}, par partenaire",
        "chart_note": "{unit} ; n = {base} partenaires. Source : {source}.",
        "chart_source": "questionnaires des partenaires et entretiens de suivi, {survey}",
        "chart_source_questionnaires": "questionnaires des partenaires, {survey}",
        "unit.partners": "Nombre de partenaires",
        "unit.amount": "Montant en {currency}",
        "unit.value": "Valeur",
        "partner": "Partenaire",
        "question": "Question",
        "answer": "Réponse",
        "source": "Source",
        "file": "Fichier",
        "sheet": "Feuille",
        "cell": "Cellule",
        "value": "Valeur",
        "used": "Retenue",
        "other_answers": "Autres réponses",
        "status": "État",
        "severity": "Gravité",
        "location": "Emplacement",
        "problem": "Problème",
        "what_to_do": "Que faire",
        "severity.error": "erreur",
        "severity.warning": "avertissement",
        "conflicts_intro": "Quand les sources d'un partenaire divergent, le rapport retient "
        "une réponse ; les autres sont listées ici.",
        "no_conflicts": "Aucune divergence : quand un partenaire avait plusieurs sources, "
        "elles concordaient.",
        "quality_line": "{errors} et {warnings} dans {files}.",
        "n_error_one": "{n} erreur",
        "n_error_other": "{n} erreurs",
        "n_warning_one": "{n} avertissement",
        "n_warning_other": "{n} avertissements",
        "n_amount_one": "{n} montant",
        "n_amount_other": "{n} montants",
        "n_file_one": "{n} fichier",
        "n_file_other": "{n} fichiers",
        "no_issues": "Aucun problème n'a été trouvé dans les fichiers reçus.",
        "no_file": "(aucun fichier)",
        "provenance_intro": "Chaque chiffre clé et les réponses dont il est calculé.",
        "no_sources": "Aucune réponse n'a été comptée.",
        "no_inputs": "Aucun fichier reçu.",
        "no_answers": "Aucune réponse.",
        "no_partners": "Aucun partenaire n'a encore répondu.",
        "footer": "Rapport produit par urbsurvey {version} le {date}. "
        "Empreinte de la définition {fingerprint}.",
        "hidden": "masquée par les filtres du questionnaire : non comptée",
        "left_out.amount": "montant",
        "left_out.amount_many": "montants",
        "left_out.answer": "réponse",
        "left_out.answer_many": "réponses",
        "left_out.no_rate": "{n} {what} n'a pas pu être converti ({names})",
        "left_out.no_rate_many": "{n} {what} n'ont pas pu être convertis ({names})",
        "left_out.no_currency": "{n} {what} n'avait pas de devise ({names})",
        "left_out.no_currency_many": "{n} {what} n'avaient pas de devise ({names})",
        "left_out.out_of_range": "{n} {what} était hors limites ({names})",
        "left_out.out_of_range_many": "{n} {what} étaient hors limites ({names})",
        "left_out.unreadable": "{n} {what} n'a pas pu être lu ({names})",
        "left_out.unreadable_many": "{n} {what} n'ont pas pu être lus ({names})",
        "left_out_line": "Non comptés : {items}.",
        "assumed_line": "La devise de {n} saisis sans devise a été supposée (currency-assumed "
        "dans l'annexe sur la qualité des données).",
        "in_currency": "En {currency}",
        "as_typed": "tel que saisi",
        "xlsx.indicator": "Indicateur",
        "xlsx.unit": "Unité",
        "xlsx.display": "Affichage",
        "xlsx.partners": "Partenaires",
        "xlsx.sentence": "Phrase",
        "xlsx.group": "Groupe",
        "xlsx.theme": "Thème",
        "xlsx.description": "Description",
        "xlsx.excerpt": "Extrait",
        "page": "Page",
    },
}
LANGUAGES = tuple(MESSAGES)


def prepare(lang: str) -> None:
    """Babel imported and its data for `lang` loaded, as the first number `Texts(lang)`
    formats would: done ahead while a report's workbooks are read (`pipeline.report`). A
    language Babel does not know is left for the report to say so."""
    import babel.dates
    import babel.numbers  # noqa: F401 (what `Texts` imports, imported for later)

    locale = _babel_locale(lang)
    if locale is not None:
        locale.decimal_formats  # noqa: B018 (loads the locale's data)


def _babel_locale(lang: str) -> Locale | None:
    """Babel's locale for `lang`; None for a language it does not know."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang)
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def _check_locale(lang: str) -> None:
    """A language Babel cannot format numbers and dates in is the user's to fix (`--lang`,
    or `language:` in survey.yaml), said before any part of the report is made."""
    from ..errors import UsageError

    if _babel_locale(lang) is None:
        raise UsageError(
            f"unknown report language {lang!r}",
            hint="Give a language code such as en, fr or de (--lang, or language: in "
            f"survey.yaml); the report's own texts exist in {', '.join(LANGUAGES)}.",
        )


class Texts:
    """Fixed texts and locale formatting for one language."""

    def __init__(self, lang: str) -> None:
        _check_locale(lang)
        self.lang = lang if lang in MESSAGES else "en"
        self.locale = lang  # Babel formats any language it knows, even without texts here
        self._messages = MESSAGES[self.lang]
        #: What the report's builder works out once per object and language (choice labels
        #: by question, keyed by `id`: the questions live as long as the report is built).
        self.memo: dict[int, dict[str, str]] = {}
        #: (currency or "" for a plain number, digit count) -> `_digit_layout`
        self._layouts: dict[tuple[str, int], str] = {}

    def __call__(self, key: str, **values: object) -> str:
        message = self._messages.get(key) or MESSAGES["en"][key]
        return message.format(**values) if values else message

    def count(self, key: str, n: int) -> str:
        """`{n} error` / `{n} errors` (French counts 0 and 1 as singular)."""
        one = n == 1 or (self.lang == "fr" and n == 0)
        return self(f"{key}_{'one' if one else 'other'}", n=self.number(n))

    def number(self, value: int | float | Decimal) -> str:
        from babel.numbers import format_decimal

        fast = self._whole(value, "", lambda n: str(format_decimal(n, locale=self.locale)))
        return fast if fast is not None else str(format_decimal(value, locale=self.locale))

    def percent(self, rate: float | None) -> str:
        from babel.numbers import format_percent

        return "n/a" if rate is None else str(format_percent(rate, locale=self.locale))

    def money(self, value: Decimal | float, currency: str) -> str:
        """The full amount: `€948,646` (en), `948 646 €` (fr); cents only when there are any."""
        from babel.numbers import format_currency

        def whole(n: int | Decimal) -> str:
            return str(
                format_currency(
                    n, currency, self._whole_money, locale=self.locale, currency_digits=False
                )
            )

        amount = Decimal(str(value))
        if amount == amount.to_integral_value():
            fast = self._whole(amount, currency, whole)
            return fast if fast is not None else whole(amount)
        fast = self._cents(amount, currency)
        return (
            fast if fast is not None else str(format_currency(amount, currency, locale=self.locale))
        )

    def _cents(self, amount: Decimal, currency: str) -> str | None:
        """An amount >= 0 of one or two decimals as Babel writes it (with the currency's
        digits), from the layout of as many nines (`€9,999.99` for 1,234.5), made once per
        length; None (Babel writes it) for any other amount or layout (`_whole`)."""
        if not amount.is_finite() or amount.is_signed() or int(amount.as_tuple().exponent) < -2:
            return None
        digits = str(int(amount.scaleb(2))).rjust(3, "0")  # 1234.5 -> 123450, 0.5 -> 050
        if len(digits) > _LAYOUT_DIGITS:
            return None

        def nines() -> str:
            from babel.numbers import format_currency

            nines = Decimal(f"{'9' * (len(digits) - 2)}.99")
            return str(format_currency(nines, currency, locale=self.locale))

        return self._laid_out((f"{currency} cents", len(digits)), digits, nines)

    def _whole(self, value: object, kind: str, babel: Callable[[int], str]) -> str | None:
        """A whole number >= 0 as `babel` formats it, from the layout Babel gives the numbers
        of as many digits (`9,999,999` for 1,234,567), made once per length, not once per
        number: the digits go in the layout's digit places, in order. None (Babel formats
        it) for any other number, or when the layout is not the number's digits plus
        fixed text (the digit count differs: padding, digits in the text around them).
        """
        if type(value) is int:
            whole = value
        elif type(value) is Decimal and value.is_finite() and not value.is_signed():
            if value != value.to_integral_value():
                return None
            whole = int(value)
        else:
            return None
        digits = str(whole)
        if whole < 0 or len(digits) > _LAYOUT_DIGITS:
            return None
        return self._laid_out((kind, len(digits)), digits, lambda: babel(int("9" * len(digits))))

    def _laid_out(self, key: tuple[str, int], digits: str, nines: Callable[[], str]) -> str | None:
        """`digits` in the digit places of the layout kept under `key`, made once from
        `nines()`, Babel's text of as many nines; None where that is no layout of them."""
        layout = self._layouts.get(key)
        if layout is None:
            layout = self._layouts[key] = _digit_layout(nines(), digits)
        return layout.format(*digits) if layout else None

    @functools.cached_property
    def _whole_money(self) -> str:
        """The locale's currency pattern without cents (looked up once, not once per amount)."""
        from babel import Locale

        pattern = Locale.parse(self.locale).currency_formats["standard"].pattern
        return str(pattern.split(";")[0].replace(".00", ""))

    def compact_money(self, value: Decimal | float, currency: str) -> str:
        """A headline amount: `€1.4m` (en, as `amounts.format_amount` writes it everywhere),
        `1,4 M €` (fr, Babel); amounts below a million in full."""
        from babel.numbers import format_compact_currency

        if self.lang == "en":
            from .amounts import format_amount

            return format_amount(Decimal(str(value)), currency)
        if abs(Decimal(str(value))) < 1_000_000:
            return self.money(value, currency)
        return str(format_compact_currency(value, currency, locale=self.locale, fraction_digits=2))

    def date(self, value: dt.date) -> str:
        from babel.dates import format_date

        return str(format_date(value, "long", locale=self.locale))

    def month(self, value: dt.date) -> str:
        from babel.dates import format_skeleton

        return str(format_skeleton("yMMMM", value, locale=self.locale))

    def names(self, names: list[str]) -> str:
        """`Amadora, Sevilla and Venice` (`et` in French), by Babel's list patterns."""
        from babel.lists import format_list

        return str(format_list(names, locale=self.locale)) if names else ""

    def all(self) -> dict[str, Any]:
        return dict(self._messages)
