"""The data tables the parsers look words up in, built once at import.

Decimal separators by country and country names; ISO 4217 codes and the symbols and
words written for currencies; number words ("k", "Mio", "mld"); month names; yes and no,
each in the partners' languages. Words are normalised (see `text.normalise`).
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


# --------------------------------------------------------------------------- countries

_COMMA, _POINT = ",", "."

_SEPARATOR_BY_ALPHA2: dict[str, str] = {
    # EU, EEA and the rest of Europe: decimal comma ...
    **dict.fromkeys(
        _words(
            "AT BE BG HR CY CZ DK EE FI FR DE GR EL HU IS IT LV LT LU NL NO PL PT RO SK SI ES SE "
            "AD AL BA BY FO GE GL ME MK MC MD RS RU SM TR UA VA XK AM AZ KZ"
        ),
        _COMMA,
    ),
    # ... except the British Isles, Malta and Switzerland/Liechtenstein (1'234.50).
    **dict.fromkeys(_words("GB UK IE MT CH LI GI IM JE GG"), _POINT),
    # Elsewhere.
    **dict.fromkeys(_words("AR BO BR CL CO CR EC ID PE PY UY VE VN ZA TN DZ"), _COMMA),
    **dict.fromkeys(
        _words("US CA AU NZ IN JP CN KR SG HK TW IL MX PH TH MY PK NG KE GH EG SA AE"), _POINT
    ),
}

_ALPHA2_BY_NAME: dict[str, str] = {
    # EU member states, with common alternatives and native names.
    "austria": "AT",
    "osterreich": "AT",
    "belgium": "BE",
    "belgique": "BE",
    "belgie": "BE",
    "bulgaria": "BG",
    "croatia": "HR",
    "hrvatska": "HR",
    "cyprus": "CY",
    "czechia": "CZ",
    "czech republic": "CZ",
    "cesko": "CZ",
    "denmark": "DK",
    "danmark": "DK",
    "estonia": "EE",
    "eesti": "EE",
    "finland": "FI",
    "suomi": "FI",
    "france": "FR",
    "germany": "DE",
    "deutschland": "DE",
    "greece": "GR",
    "hellas": "GR",
    "hungary": "HU",
    "magyarorszag": "HU",
    "ireland": "IE",
    "republic of ireland": "IE",
    "eire": "IE",
    "italy": "IT",
    "italia": "IT",
    "latvia": "LV",
    "latvija": "LV",
    "lithuania": "LT",
    "lietuva": "LT",
    "luxembourg": "LU",
    "malta": "MT",
    "netherlands": "NL",
    "holland": "NL",
    "nederland": "NL",
    "poland": "PL",
    "polska": "PL",
    "portugal": "PT",
    "romania": "RO",
    "slovakia": "SK",
    "slovak republic": "SK",
    "slovensko": "SK",
    "slovenia": "SI",
    "slovenija": "SI",
    "spain": "ES",
    "espana": "ES",
    "sweden": "SE",
    "sverige": "SE",
    # EEA and Switzerland.
    "iceland": "IS",
    "island": "IS",
    "liechtenstein": "LI",
    "norway": "NO",
    "norge": "NO",
    "switzerland": "CH",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    # The United Kingdom and its nations.
    "united kingdom": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "gbr": "GB",
    # The rest of Europe.
    "albania": "AL",
    "andorra": "AD",
    "belarus": "BY",
    "bosnia and herzegovina": "BA",
    "bosnia": "BA",
    "faroe islands": "FO",
    "georgia": "GE",
    "armenia": "AM",
    "azerbaijan": "AZ",
    "kazakhstan": "KZ",
    "kosovo": "XK",
    "moldova": "MD",
    "republic of moldova": "MD",
    "monaco": "MC",
    "montenegro": "ME",
    "north macedonia": "MK",
    "macedonia": "MK",
    "russia": "RU",
    "russian federation": "RU",
    "san marino": "SM",
    "serbia": "RS",
    "turkey": "TR",
    "turkiye": "TR",
    "ukraine": "UA",
    "vatican": "VA",
    "vatican city": "VA",
    "holy see": "VA",
    "gibraltar": "GI",
    # Elsewhere.
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "america": "US",
    "canada": "CA",
    "australia": "AU",
    "new zealand": "NZ",
    "india": "IN",
    "japan": "JP",
    "china": "CN",
    "south korea": "KR",
    "korea": "KR",
    "singapore": "SG",
    "hong kong": "HK",
    "taiwan": "TW",
    "israel": "IL",
    "mexico": "MX",
    "philippines": "PH",
    "thailand": "TH",
    "malaysia": "MY",
    "pakistan": "PK",
    "nigeria": "NG",
    "kenya": "KE",
    "ghana": "GH",
    "egypt": "EG",
    "saudi arabia": "SA",
    "united arab emirates": "AE",
    "argentina": "AR",
    "bolivia": "BO",
    "brazil": "BR",
    "brasil": "BR",
    "chile": "CL",
    "colombia": "CO",
    "costa rica": "CR",
    "ecuador": "EC",
    "indonesia": "ID",
    "peru": "PE",
    "paraguay": "PY",
    "uruguay": "UY",
    "venezuela": "VE",
    "vietnam": "VN",
    "viet nam": "VN",
    "south africa": "ZA",
    "tunisia": "TN",
    "algeria": "DZ",
}


# --------------------------------------------------------------------------- currencies

#: The currency a partner in a country answers in, when survey.yaml gives none. Euro area
#: as of 2026 (Bulgaria joined on 1 January 2026: give `currency: BGN` for earlier surveys),
#: plus the euro-using microstates and Montenegro and Kosovo.
_CURRENCY_BY_ALPHA2: dict[str, str] = {
    **dict.fromkeys(
        _words(
            "AT BE BG HR CY EE FI FR DE GR EL IE IT LV LT LU MT NL PT SK SI ES "
            "AD MC SM VA ME XK"
        ),
        "EUR",
    ),
    "RO": "RON", "PL": "PLN", "GB": "GBP", "UK": "GBP", "GI": "GIP", "IM": "GBP",
    "JE": "GBP", "GG": "GBP", "CZ": "CZK", "HU": "HUF", "SE": "SEK", "DK": "DKK",
    "FO": "DKK", "GL": "DKK", "NO": "NOK", "IS": "ISK", "CH": "CHF", "LI": "CHF",
    "AL": "ALL", "BA": "BAM", "MK": "MKD", "RS": "RSD", "MD": "MDL", "UA": "UAH",
    "TR": "TRY", "GE": "GEL", "AM": "AMD", "AZ": "AZN", "US": "USD", "CA": "CAD",
}  # fmt: skip


KNOWN_CURRENCIES: frozenset[str] = frozenset(
    _words(
        # Active ISO 4217 codes.
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD "
        "BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN "
        "ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR "
        "ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL "
        "MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN "
        "PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD "
        "SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND "
        "VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL "
        # European currencies replaced by the euro since 2007, still seen in older answers.
        "CYP EEK HRK LTL LVL MTL SIT SKK"
    )
)
"""ISO 4217 codes `parse_money` accepts as written."""

# Symbols and words people write for a currency, normalised. "kr" is left out on purpose.
_CURRENCY_WORDS: dict[str, str] = {
    **dict.fromkeys(["€", "euro", "euros", "eura", "evro", "ευρω", "евро"], "EUR"),
    **dict.fromkeys(["£", "pound", "pounds", "sterling", "pounds sterling"], "GBP"),
    **dict.fromkeys(["$", "us$", "us $", "dollar", "dollars", "us dollars"], "USD"),
    **dict.fromkeys(["fr", "fr.", "sfr", "sfr.", "chf."], "CHF"),
    **dict.fromkeys(["lei", "leu"], "RON"),
    **dict.fromkeys(["lev", "leva", "лв", "лв."], "BGN"),
    **dict.fromkeys(["zł", "zl", "złoty", "zloty", "zlotys", "złotych", "zlotych"], "PLN"),
    **dict.fromkeys(["ft", "forint", "forints"], "HUF"),
    **dict.fromkeys(["kc", "kc."], "CZK"),
    **dict.fromkeys(["kn", "kuna", "kune"], "HRK"),
    **dict.fromkeys(["₺", "tl"], "TRY"),
    "¥": "JPY",
    "₴": "UAH",
    "₽": "RUB",
}
_AMBIGUOUS_CURRENCIES = frozenset({"kr", "kr."})  # Swedish, Danish, Norwegian or Icelandic

# --------------------------------------------------------------------------- multipliers

_AMBIGUOUS_MIL = "mil"  # a million in English/Romanian/Czech, a thousand in Spanish/Portuguese
_MULTIPLIERS: dict[str, int] = {
    **dict.fromkeys(["k", "thousand", "thousands", "tsd", "tys", "mila", "mille"], 3),
    **dict.fromkeys(
        [
            "m",
            "mn",
            "mio",
            "mln",
            "million",
            "millions",
            "millionen",
            "millon",
            "millones",
            "milione",
            "milioni",
            "milhao",
            "milhoes",
            "miljoen",
            "miljoenen",
            "miljon",
            "miljoner",
            "milion",
            "miliony",
            "milionow",
            "milioane",
            "milijon",
            "milijona",
            _AMBIGUOUS_MIL,
        ],
        6,
    ),
    **dict.fromkeys(
        [
            "bn",
            "bln",
            "mrd",
            "mld",
            "mds",
            "md",
            "milliard",
            "milliards",
            "miliard",
            "miliardy",
            "miliardo",
            "miliardi",
            "miljard",
            "miljarden",
            "billion",
            "billions",
        ],
        9,
    ),
}

# --------------------------------------------------------------------------- months

_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            "january jan janvier janv gennaio gen enero ene janeiro januar janner januari",
            "february feb fevrier fevr fev febbraio febrero fevereiro februar februari",
            "march mar mars marzo marco marz mrz maart",
            "april apr avril aprile abril abr",
            "may mai maggio mag mayo maio mei",
            "june jun juin giugno giu junio junho juni",
            "july jul juillet juil luglio lug julio julho juli",
            "august aug aout agosto ago augustus",
            "september sep sept septembre settembre set septiembre setiembre setembro",
            "october oct octobre ottobre ott octubre outubro out oktober okt",
            "november nov novembre noviembre novembro",
            "december dec decembre dicembre dic diciembre dezembro dez dezember",
        ],
        start=1,
    )
    for name in names.split()
}

# --------------------------------------------------------------------------- yes/no

_YES_NO: dict[str, bool] = {
    **dict.fromkeys(
        _words("yes y oui si sim ja jah kylla ναι da да tak igen ano taip iva true 1"), True
    ),
    **dict.fromkeys(
        _words("no n non nao nej nein nee nei ei οχι nu ne не nie nem le false 0"), False
    ),
}
