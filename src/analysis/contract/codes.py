"""Codes the contract uses for countries and currencies: ISO 3166-1 alpha-2 and ISO 4217, with the
document language of a country, and the checks that name the closest valid code."""
from __future__ import annotations

from analysis.contract.errors import Problem

WHERE = "analysis new-municipality"

# ISO 3166-1 alpha-2 (officially assigned codes).
COUNTRIES = set("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH
ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT
HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS
LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI
NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG
SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())

# ISO 4217: currencies in use, plus the European currencies replaced by the euro (and HRK,
# LTL, ...) because budgets of earlier years are printed in them.
CURRENCIES = set("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
STN SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF
YER ZAR ZMW ZWG XCG
DEM ATS BEF NLG FRF ITL ESP PTE IEP FIM LUF GRD SIT CYP MTL SKK EEK LVL LTL HRK
""".split())

# Document language when --language is not given.
COUNTRY_LANGUAGE = {"DE": "de", "AT": "de", "LI": "de", "DK": "da", "SE": "sv", "NO": "nb", "FI": "fi",
                    "IS": "is", "NL": "nl", "FR": "fr", "IT": "it", "ES": "es", "PT": "pt", "PL": "pl",
                    "CZ": "cs", "SK": "sk", "SI": "sl", "HR": "hr", "HU": "hu", "EE": "et", "LV": "lv",
                    "LT": "lt", "GB": "en", "IE": "en", "US": "en", "GR": "el", "RO": "ro", "BG": "bg"}


def check_country(country: str, where: str = WHERE, column: str = "--country", line=None) -> list[Problem]:
    if str(country) in COUNTRIES:
        return []
    hint = f" (did you mean {str(country).upper()}?)" if str(country).upper() in COUNTRIES else ""
    return [Problem(where, "not an ISO 3166-1 alpha-2 country code" + hint, line, column,
                    "two capital letters like DE, DK, SE, AT", str(country))]


def check_currency(currency: str, where: str = WHERE, column: str = "--currency", line=None) -> list[Problem]:
    if str(currency) in CURRENCIES:
        return []
    hint = f" (did you mean {str(currency).upper()}?)" if str(currency).upper() in CURRENCIES else ""
    return [Problem(where, "not an ISO 4217 currency code" + hint, line, column,
                    "three capital letters like EUR, DKK, SEK", str(currency))]


# The administrative types (schema.ADMIN_TYPES) each country has; where a country has one
# obvious type, `analysis new-municipality` uses it when --admin-type is not given.
COUNTRY_ADMIN_TYPES = {
    "DE": ["Landkreis", "kreisfreie Stadt", "Bezirk", "Kreis", "Stadt", "Gemeinde"],
    "DK": ["Kommune", "Region"],
    "SE": ["Kommune", "Region"],   # kommun, region
    "NO": ["Kommune"],             # kommune
}
DEFAULT_ADMIN_TYPE = {"DK": "Kommune", "SE": "Kommune", "NO": "Kommune"}


def check_admin_type(admin_type: str, country: str, where: str = WHERE, column: str = "--admin-type",
                     line=None) -> list[Problem]:
    """An administrative type that does not exist in the country (e.g. the Danish 'Kommune' for DE)."""
    allowed = COUNTRY_ADMIN_TYPES.get(str(country))
    if allowed is None or admin_type in allowed:
        return []
    other = next((c for c, types in COUNTRY_ADMIN_TYPES.items() if admin_type in types), None)
    why = f"'{admin_type}' is a type of {other}, not of {country}" if other else f"not a type of {country}"
    return [Problem(where, f"administrative type does not fit the country: {why}", line, column,
                    f"one of {', '.join(allowed)} for {country}", str(admin_type))]
