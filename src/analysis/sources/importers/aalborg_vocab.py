"""Known labels of Aalborg's accounts 2014 (Familie- og Beskæftigelsesforvaltningen) with English.

`aalborg_accounts` accepts a table row only when its label is listed here; anything else
is an InputError. Labels are exactly as printed (including the document's typos).
"""
from __future__ import annotations

import re

DEPARTMENT = "Familie- og Beskæftigelsesforvaltningen"
DEPARTMENT_EN = "Family and Employment Administration"
DEPARTMENT_CODE = "FB"

# sector code -> (org_unit as printed, English)
SECTORS = {
    "BU": ("Børn og Unge", "Children and Young People"),
    "VB": ("Voksen - Beskæftigelsesudvalget", "Adults - Employment Committee"),
    "VF": ("Voksen - Familie- og Socialudvalget", "Adults - Family and Social Affairs Committee"),
    "ADM": ("Borgerrettede rådgivnings- og vejledningsfunktioner samt administration",
            "Citizen-oriented advice and guidance functions and administration"),
}

# Headings (lines without tabs) that open a sector's section; None: listed sector without tables.
SECTOR_HEADINGS = {
    "Sektor Børn og Unge": "BU",
    "Sektor: Børn og Unge": "BU",
    "Sektor Voksen – Beskæftigelsesudvalget": "VB",
    "Sektor Voksen Beskæftigelsesudvalget": "VB",
    "Sektor Voksen – Familie- og Socialudvalget": "VF",
    "Sektor Voksen Familie- og Socialudvalg": "VF",
    "Sektor Borgerrettede rådgivnings- og vejledningsfunktioner samt administration": "ADM",
    "Sektor Områder med 100 % refusion": None,
}

# group slug -> (English, budget_type)
GROUPS = {
    "serviceudgifter": ("service expenditure", "operating"),
    "budgetgaranterede": ("budget-guaranteed expenditure", "operating"),
    "beskaeftigelsestilskud": ("employment subsidy", "operating"),
    "refusion_100": ("areas with 100 % reimbursement", "operating"),
    "ikke_rammebelagte": ("expenditure outside the spending frame", "operating"),
    "anlaeg": ("capital expenditure", "capital"),
}

# group headings as printed in the various tables -> group slug
GROUP_LABELS = {
    "Serviceudgifter": "serviceudgifter",
    "Budgetgaranterede udg.": "budgetgaranterede",
    "Budgetgaranterede udgifter": "budgetgaranterede",
    "Beskæftigelsestilskud": "beskaeftigelsestilskud",
    "Områder med 100 % refusion": "refusion_100",
    "Ikke rammebelagte udgifter": "ikke_rammebelagte",
    "Anlæg": "anlaeg",
}

# ---- department overview (mio. kr.) -------------------------------------------------
OVERVIEW_HEADER = ["Beløb i mio. kr.", "Regnskab", "", "", "Korrigeret budget", "", "", "Afvigelse Netto"]
OVERVIEW_SUBHEADER = ["", "Udgift", "Indtægt", "Netto", "Udgift", "Indtægt", "Netto", ""]
OVERVIEW_COLUMNS = ["label", "Regnskab Udgift", "Regnskab Indtægt", "Regnskab Netto",
                    "Korrigeret budget Udgift", "Korrigeret budget Indtægt", "Korrigeret budget Netto",
                    "Afvigelse Netto"]
# sector labels in the overview (line 12 truncates the administration sector's name)
OVERVIEW_SECTORS = {
    "Børn og Unge": "BU",
    "Voksen - Beskæftigelsesudvalget": "VB",
    "Voksen - Familie- og Socialudvalget": "VF",
    "Borgerrettede rådgivnings- og": "ADM",
}
OVERVIEW_SECTIONS = {"Drift": "operating"}
OVERVIEW_TOTAL = "I alt Drift"

# ---- sector account tables (1.000 kr.) ------------------------------------------------
SECTOR_TABLE_TITLES = {
    "Regnskab sektor Børn og Unge": "BU",
    "Regnskab Sektor Voksen Beskæftigelsesudvalget": "VB",
    "Regnskab sektor Voksen Familie- og Socialudvalg": "VF",
    "Regnskab sektor Borgerrettede rådgivnings- og vejledningsfunktioner samt administration": "ADM",
}
SECTOR_HEADER = ["Beløb i 1.000 kr.", "Oprindeligt budget", "Regnskab", "Korrigeret budget", "Afvigelse"]
# line label -> (direction, revenue_kind, English)
SECTOR_LINES = {
    "Udgifter": ("expenditure", None, "expenditure"),
    "Indtægter": ("revenue", "income", "income"),
    "Refusion": ("revenue", "reimbursement", "reimbursement"),
    "Netto": ("net", None, "net"),
}
SECTOR_TOTALS = {
    "Nettodrift i alt": ("nettodrift", "Net operating total"),
    "Sektor i alt": ("", "Sector total"),
}

# ---- approved budget changes (1.000 kr.) ---------------------------------------------
CHANGE_TABLE_TITLES = {
    "Godkendte ændringer til sektor Børn og Unges oprindelige budget 2014": "BU",
    "Godkendte ændringer til Sektor Voksen Beskæftigelsesudvalgets oprindelige budget 2014": "VB",
    "Godkendte ændringer til sektor Voksens oprindelige budget 2014": "VF",
    "Godkendte ændringer til sektor Borgerrettede rådgivnings- og vejledningsfunktioner samt administration": "ADM",
}
CHANGE_HEADER = ["Beløb i 1.000 kr.", "Udgift", "Indtægt", "Netto"]
CHANGE_ORIGINAL = "Oprindeligt budget 2014"
CHANGE_CORRECTED = {
    "Korrigeret budget serviceudgifter": "serviceudgifter",
    "Korrigeret budget budgetgaranterede udgifter": "budgetgaranterede",
    "Korrigeret budget budgetgaranteret udgifter": "budgetgaranterede",
    "Korrigeret budget beskæftigelsestilskud": "beskaeftigelsestilskud",
    "Korrigeret budget anlæg": "anlaeg",
    "Korrigeret budget Område med 100 % refusion": "refusion_100",
}
CHANGE_SECTOR_TOTAL = "Sektor i alt"
# headings inside the change tables without figures
CHANGE_SUBHEADINGS = {"<i>Aktuel status inkl. /lov og cirkulærer</i>"}
# headings that print only the net total of the change rows below them (case as printed)
CHANGE_SUBTOTALS = {"aktuel status"}
CHANGE_EN = {
    "Øvrige tillægsbevillinger": "Other supplementary appropriations",
    "Overførsel fra 2013": "Carry-over from 2013",
    "Overførelse fra 2013": "Carry-over from 2013",
    "Forventet overførsel til 2015": "Expected carry-over to 2015",
    "Aktuel status, midtvejsregulering": "Current status, mid-year adjustment",
    "Regulering af lønbudget": "Adjustment of the salary budget",
    "Intern husleje": "Internal rent",
    "Teknisk tillægsbevilling": "Technical supplementary appropriation",
    "Overførsel af uforbrugte midler i 2013 til 2014": "Carry-over of unspent 2013 funds to 2014",
    "Tillægsbevilling": "Supplementary appropriation",
    "Jobtræning Overført til B2015": "Job training carried over to budget 2015",
    "Lønregulering Jobtræning/centralfinansierede fleksjob":
        "Salary adjustment, job training/centrally financed flex jobs",
    "Passiv forsørgelse": "Passive income support",
    "Aktiv forsørgelse": "Active income support",
    "Sygedagpenge": "Sickness benefit",
    "Integration": "Integration",
    "Fleksjob og ledighedsydelse": "Flex jobs and flex-job unemployment benefit",
    "Seniorjob": "Senior jobs",
    "Omplaceringer indenfor rammen": "Reallocations within the spending frame",
    "Omplaceringer inden for rammen": "Reallocations within the spending frame",
    "Regulering af Beskæftigelsestilskuddet": "Adjustment of the employment subsidy",
    "Aktuel status": "Current status",
    "Overført til Budget 2015": "Carried over to budget 2015",
    "Lov & Cirkulære ifm Aktuel Status": "Laws and circulars in connection with the current status",
    "Justering af lønbudget": "Adjustment of the salary budget",
    "Korrektion pga taktsfinansieret adm.udgifter": "Correction for fee-financed administration costs",
    "Personlige tillæg": "Personal supplements",
    "Sociale formål": "Social purposes",
    "Boligyldelse": "Housing benefit (pensioners)",
    "Boligsikring": "Housing allowance",
    "Barselsudligningsordning 2014": "Parental-leave equalisation scheme 2014",
    "Lov og cirkulære program 2014": "Laws and circulars programme 2014",
    "Modtagelse af flygtninge - aktuel status jobcenteret": "Reception of refugees - current status, job centre",
    "Moderniseringsaftalen 2014": "Modernisation agreement 2014",
    "nyt lønskøn - regulering ift. Budget 2014": "New salary estimate - adjustment against budget 2014",
    "Aktuel status - flytning af elevbudget vedr. tandplejen":
        "Current status - transfer of the trainee budget for dental care",
    "Ny offentlighedslov - Dutmidler": "New Access to Public Administration Files Act - DUT compensation",
    "Ekstraordinær elevoptag 2014": "Extraordinary trainee intake 2014",
    "Lederuddannelse + MUS": "Management training + staff development reviews",
    "Opkvalificering af ufaglærte": "Upskilling of unskilled staff",
    "Overførsel 2013-2014": "Carry-over 2013-2014",
    "Omplaceringer inden for sektoren": "Reallocations within the sector",
}

# ---- operating activities (Driftsaktiviteter, mio. kr.) ------------------------------
ACTIVITY_TITLES = {"Driftsaktiviteter 2014"}
ACTIVITY_HEADER = ["Oprindeligt budget", "", "Regnskab", "", "Korrigeret budget", "", "Afvigelse netto"]
ACTIVITY_SUBHEADER = ["Udgift", "Indtægt", "Udgift", "Indtægt", "Udgift", "Indtægt", ""]
ACTIVITY_COLUMNS = ["Oprindeligt budget Udgift", "Oprindeligt budget Indtægt", "Regnskab Udgift",
                    "Regnskab Indtægt", "Korrigeret budget Udgift", "Korrigeret budget Indtægt",
                    "Afvigelse netto"]
ACTIVITY_GROUP_TOTAL = "I alt"
ACTIVITY_TABLE_TOTAL = "I alt driftsaktiviteter"
PLACEHOLDER = "..."
# activity label -> English (per sector, as printed)
ACTIVITIES = {
    "BU": {
        "Andre faste ejendomme": "Other real property",
        "Kommunal genoptræning mv.": "Municipal rehabilitation etc.",
        "Kommunal tandpleje": "Municipal dental care",
        "Sundhedspleje": "Health visiting (child health nurses)",
        "Dagpleje og daginstitutioner": "Family day care and day-care institutions",
        "Børn og unge med særlige behov": "Children and young people with special needs",
        "Hjælpe midler m.m.": "Assistive devices etc.",
        "Øvrige sociale formål": "Other social purposes",
        "Sociale formål": "Social purposes",
        "Refusion - særlig dyre enkeltsager": "Reimbursement - particularly expensive individual cases",
    },
    "VB": {
        "Fritoptag på produktionskoler": "Free admission to production schools",
        "Jobtræning, central": "Job training, central",
        "Aktivering/revalidering": "Activation/vocational rehabilitation",
        "Passiv forsørgelse": "Passive income support",
        "Aktiv forsørgelse": "Active income support",
        "Sygedagpenge": "Sickness benefit",
        "Integration": "Integration",
        "Introduktionsydelse": "Introduction allowance",
        "Fleksjob/ledighedsydelse": "Flex jobs/flex-job unemployment benefit",
        "Seniorjob": "Senior jobs",
        "Forsørgelse forsikrede ledige": "Income support for insured unemployed",
        "Aktivering": "Activation",
    },
    "VF": {
        "Støtt/kontaktpersoner og midlertidig ophold": "Support/contact persons and temporary accommodation",
        "Misbrugsbehandling og forebyggelse": "Substance abuse treatment and prevention",
        "Udstødteområdet - myndighed": "Socially excluded - authority",
        "Udstødteområdet - takstfinansieret": "Socially excluded - fee-financed",
        "Botilbud mm - takstfinansieret": "Residential services etc. - fee-financed",
        "Hjælpe midler, befordring mm": "Assistive devices, transport etc.",
        "Øvrige sociale formål": "Other social purposes",
        "Refusion særlige dyre enkeltsager Voks":
            "Reimbursement - particularly expensive individual cases (adults)",
        "Personlige tillæg": "Personal supplements",
        "Førtidspension": "Disability pension",
        "Sociale formål": "Social purposes",
        "Bolig ydelse": "Housing benefit (pensioners)",
        "Boligsikring": "Housing allowance",
        "Områder med 100 % refusion": "Areas with 100 % reimbursement",
    },
    "ADM": {
        "Kommissioner, råd og nævn": "Commissions, councils and boards",
        "Administrationsbygninger": "Administration buildings",
        "Myndighedsudøvelse": "Exercise of authority (case management)",
        "Øvrig administration": "Other administration",
        "Fælles IT og telefoni": "Shared IT and telephony",
        "Jobcentre": "Job centres",
        "Det specialiserede børneområde": "Specialised services for children",
        "Adm.bidrag til UDK": "Administration contribution to Udbetaling Danmark",
        "Sekretariat og forvaltning": "Secretariat and administration",
    },
}
# activities the text ties to a Danish kontoplan function: (function, phrase that names it)
ACTIVITY_FUNCTIONS = {
    ("BU", "Dagpleje og daginstitutioner"): ("05.25", "På funktion 05.25 dagpleje og daginstitutioner"),
}
# activity groups that the sector table books under another group (BU: the refund for
# particularly expensive cases is part of Budgetgaranterede udgifter' Refusion, lines 105/165)
ACTIVITY_GROUP_IN_SECTOR = {("BU", "ikke_rammebelagte"): "budgetgaranterede"}

# ---- capital projects ------------------------------------------------------------------
CAPITAL_TITLE = "Anlægsprojekter i 2014"
CAPITAL_HEADER = ["", "Korrigeret budget", "Regnskab", "Korte bemærkninger"]
CAPITAL_FINAL_HEADER = ["Funktionsnr./Tekst Projektnr./Navn", "U I", "Anlægs- bevilling", "Primo", "Forbrug",
                        "", "", "Påbegyndt", "Afsluttet"]
CAPITAL_FINAL_SUBHEADER = ["", "", "", "", "årets", "I alt", "Afvigelse", "", ""]
CAPITAL_FINAL_COLUMNS = ["Projektnr./Navn", "U I", "Anlægsbevilling", "Primo", "Forbrug årets", "Forbrug I alt",
                         "Afvigelse", "Påbegyndt", "Afsluttet"]
CAPITAL_PRELIM_HEADER = ["Funktionsnr./Tekst", "U", "Anlægs- sum", "Bevilling", "", "Forbrug", "", "",
                         "Forventet", ""]
CAPITAL_PRELIM_SUBHEADER = ["", "I", "", "Dato", "beløb", "Primo", "årets", "I alt", "Rest- forbrug", "Afsluttet"]
CAPITAL_PRELIM_COLUMNS = ["Funktionsnr./Tekst", "U I", "Anlægssum", "Bevilling dato", "Bevilling beløb", "Primo",
                          "Forbrug årets", "Forbrug I alt", "Forventet restforbrug", "Afsluttet"]
FUNCTIONS = {"05.25": "Day care for children and young people"}
# project name as printed (either table) -> (short key, English)
CAPITAL_PROJECTS = {
    "Rammebeløb, miljøforanstaltninger og legepladser":
        ("rammebeloeb_miljoe", "Framework amount, environmental measures and playgrounds"),
    "Rammebeløb, myndighedskrav, renovering i egne og lejede lokaler":
        ("rammebeloeb_myndighedskrav",
         "Framework amount, statutory requirements, renovation of own and rented premises"),
    "Renovering af institutioner": ("renovering", "Renovation of institutions"),
    "Ny 0-5 års institution, Lunden, Nibe": ("lunden_nibe", "New 0-5 institution, Lunden, Nibe"),
    "Tilbygning Nibe, Solsikken": ("solsikken_nibe", "Extension Nibe, Solsikken"),
    "Tilbygning Nibe, Børnehaven Solsikken": ("solsikken_nibe", "Extension Nibe, Solsikken kindergarten"),
    "Ny 0-5 års institution, Centrum": ("centrum", "New 0-5 institution, Centrum"),
}

# ---- indicator tables (Udvalgte nøgletal), in document order ---------------------------
CBUF = "Centre for Children, Young People and Families"
# Each row: (label as printed, spec) with spec None for headings/footnotes, or
# (indicator, indicator_en, unit, indicator_group). Tables with `measures` give two values
# per phase; their spec is (institution English, context).
INDICATOR_TABLES = [
    dict(sector="BU", title="Udvalgte nøgletal samt aktivitetsforudsætninger",
         header=["", "Regnskab", "Oprindeligt budget"],
         note="average of 2014 (footnote '¹⁾ Gennemsnit af 2014')",
         rows=[
             ("0-2 år", ("Antal børn 0-2 år (gennemsnit af 2014)", "Children aged 0-2 (average 2014)",
                         "children", "children")),
             ("3-5 år", ("Antal børn 3-5 år (gennemsnit af 2014)", "Children aged 3-5 (average 2014)",
                         "children", "children")),
             ("¹⁾ Gennemsnit af 2014", None),
         ]),
    dict(sector="BU", title="Efterspørgsel", header=["Dækningsgrad", "Regnskab", "Oprindeligt budget"],
         rows=[
             ("<i>0-2 år</i>", None),
             ("<u>Antal pladser:</u>", None),
             ("Dagplejen", ("Antal pladser 0-2 år: Dagplejen", "Places for children aged 0-2: family day care",
                            "places", "daycare_places_0_2")),
             ("Institutioner", ("Antal pladser 0-2 år: Institutioner",
                                "Places for children aged 0-2: day-care institutions", "places", "daycare_places_0_2")),
             ("Puljeordninger", ("Antal pladser 0-2 år: Puljeordninger", "Places for children aged 0-2: pool schemes",
                                 "places", "daycare_places_0_2")),
             ("Private institutioner", ("Antal pladser 0-2 år: Private institutioner",
                                        "Places for children aged 0-2: private institutions", "places",
                                        "daycare_places_0_2")),
             ("Frit valg ordningen (privat pasning)", ("Antal pladser 0-2 år: Frit valg ordningen (privat pasning)",
                                                       "Places for children aged 0-2: free choice (private childminding)",
                                                       "places", "daycare_places_0_2")),
             ("Landsbyordninger", ("Antal pladser 0-2 år: Landsbyordninger",
                                   "Places for children aged 0-2: village schemes", "places", "daycare_places_0_2")),
             ("I alt", ("Antal pladser 0-2 år: I alt", "Places for children aged 0-2: total", "places",
                        "daycare_places_0_2")),
             ("Antal børn", ("Antal børn 0-2 år", "Children aged 0-2", "children", "daycare_children")),
             ("Dækningsgrad", ("Dækningsgrad 0-2 år", "Coverage rate, children aged 0-2", "percent",
                               "daycare_coverage")),
             ("<i>3-5 år</i>", None),
             ("<u>Antal pladser:</u>", None),
             ("Institutioner", ("Antal pladser 3-5 år: Institutioner",
                                "Places for children aged 3-5: day-care institutions", "places", "daycare_places_3_5")),
             ("Puljeordninger", ("Antal pladser 3-5 år: Puljeordninger", "Places for children aged 3-5: pool schemes",
                                 "places", "daycare_places_3_5")),
             ("Private institutioner", ("Antal pladser 3-5 år: Private institutioner",
                                        "Places for children aged 3-5: private institutions", "places",
                                        "daycare_places_3_5")),
             ("Landsbyordninger", ("Antal pladser 3-5 år: Landsbyordninger",
                                   "Places for children aged 3-5: village schemes", "places", "daycare_places_3_5")),
             ("I alt", ("Antal pladser 3-5 år: I alt", "Places for children aged 3-5: total", "places",
                        "daycare_places_3_5")),
             ("Antal børn", ("Antal børn 3-5 år", "Children aged 3-5", "children", "daycare_children")),
             ("Antal 6-årige der udsætter skolestart (forudsat i budgettet)",
              ("Antal 6-årige der udsætter skolestart (forudsat i budgettet)",
               "Six-year-olds deferring school start (assumed in the budget)", "children", "daycare_children")),
             ("Børn i alt", ("Børn i alt 3-5 år (inkl. 6-årige der udsætter skolestart)",
                             "Children aged 3-5 in total (incl. six-year-olds deferring school start)", "children",
                             "daycare_children")),
             ("Dækningsgrad", ("Dækningsgrad 3-5 år", "Coverage rate, children aged 3-5", "percent",
                               "daycare_coverage")),
         ]),
    dict(sector="BU", title="Foranstaltninger for børn, unge og familier med særlige behov",
         header=["", "Regnskab", "Oprindeligt budget"],
         rows=[
             ("Gennemsnitligt antal anbragte med sociale adfærdsproblemer:", None),
             ("Døgngleje", ("Gennemsnitligt antal anbragte med sociale adfærdsproblemer: Døgngleje",
                            "Average number placed, social behavioural problems: foster care", "children",
                            "placements")),
             ("Døgninstitutioner", ("Gennemsnitligt antal anbragte med sociale adfærdsproblemer: Døgninstitutioner",
                                    "Average number placed, social behavioural problems: residential institutions",
                                    "children", "placements")),
             ("I alt", ("Gennemsnitligt antal anbragte med sociale adfærdsproblemer: I alt",
                        "Average number placed, social behavioural problems: total", "children", "placements")),
             ("Gennemsnitligt antal anbragte med nedsat funktionsevne:", None),
             ("Døgngleje", ("Gennemsnitligt antal anbragte med nedsat funktionsevne: Døgngleje",
                            "Average number placed, reduced functional capacity: foster care", "children",
                            "placements")),
             ("Døgninstitutioner", ("Gennemsnitligt antal anbragte med nedsat funktionsevne: Døgninstitutioner",
                                    "Average number placed, reduced functional capacity: residential institutions",
                                    "children", "placements")),
             ("I alt", ("Gennemsnitligt antal anbragte med nedsat funktionsevne: I alt",
                        "Average number placed, reduced functional capacity: total", "children", "placements")),
         ]),
    dict(sector="BU", title="Foranstaltninger for børn, unge og familier med særlige behov",
         header=["Pladser på Aalborg Kommunes institutioner:", "Regnskab", "", "Oprindeligt budget", ""],
         measures=[("Pladser", "Places", "institution_places"),
                   ("Belægning borgere fra Aalborg Kommune", "Occupancy by citizens of Aalborg Kommune",
                    "institution_occupancy")],
         rows=[
             ("Specialinstitutioner:", None),
             ("Stampe", ("Stampe", "special institutions")),
             ("Specialgrupperne", ("Specialgrupperne", "special institutions")),
             ("Center for Børn, Unge og Familier", None),
             ("Børneinstitutionen Vesterlund", ("Børneinstitutionen Vesterlund", CBUF)),
             ("Døgninstitutionen Vokseværket", ("Døgninstitutionen Vokseværket", CBUF)),
             ("Familieinstitutionen Bisgaard (dag)", ("Familieinstitutionen Bisgaard (day)", CBUF)),
             ("Familiehuset Victoria", ("Familiehuset Victoria", CBUF)),
             ("Barnets Hus", ("Barnets Hus", CBUF)),
             ("BørneBøgen", ("BørneBøgen", CBUF)),
             ("Danahus - aflastning", ("Danahus - respite care", CBUF)),
             ("Danahus - specialbørnehjem", ("Danahus - special children's home", CBUF)),
             ("Stjernehusene - Limfjorden", ("Stjernehusene - Limfjorden", CBUF)),
             ("Stjernehusene - aflastning", ("Stjernehusene - respite care", CBUF)),
             ("Døgncentret Nibe", ("Døgncentret Nibe", CBUF)),
             ("Døgncentret Sulsted", ("Døgncentret Sulsted", CBUF)),
         ]),
    dict(sector="VB", title="Udvalgte nøgletal samt aktivitetsforudsætninger",
         header=["", "Regnskab", "Oprindeligt budget"],
         rows=[
             ("Personer på ledighedsydelse", ("Personer på ledighedsydelse",
                                             "Persons on flex-job unemployment benefit", "persons", "flexjob")),
             ("Antal personer i fleksjob", ("Antal personer i fleksjob", "Persons in flex jobs", "persons", "flexjob")),
             ("Antal centralt finansierede fleksjob", ("Antal centralt finansierede fleksjob",
                                                      "Centrally financed flex jobs", "jobs", "flexjob")),
         ]),
    dict(sector="VF", title="Udvalgte nøgletal samt aktivitetsforudsætninger",
         header=["", "Pladser", "Regnskab", "Oprindeligt budget"],
         rows=[
             ("Forbrug af dag- og døgnpladser på Misbrugsområdet", None),
             ("Dagbehandling Alkohol", ("Forbrug af dag- og døgnpladser på Misbrugsområdet: Dagbehandling Alkohol",
                                        "Places used, substance abuse: day treatment, alcohol", "places",
                                        "substance_abuse_places")),
             ("Ekstern døgnbehandling alkohol",
              ("Forbrug af dag- og døgnpladser på Misbrugsområdet: Ekstern døgnbehandling alkohol",
               "Places used, substance abuse: external residential treatment, alcohol", "places",
               "substance_abuse_places")),
             ("Dagbehandling stofmisbrug", ("Forbrug af dag- og døgnpladser på Misbrugsområdet: Dagbehandling stofmisbrug",
                                            "Places used, substance abuse: day treatment, drugs", "places",
                                            "substance_abuse_places")),
             ("Ekstern døgnbehandling stofmisbrug",
              ("Forbrug af dag- og døgnpladser på Misbrugsområdet: Ekstern døgnbehandling stofmisbrug",
               "Places used, substance abuse: external residential treatment, drugs", "places",
               "substance_abuse_places")),
             ("Dag/døgnbehandling Efterbehandling Stofmisbrug",
              ("Forbrug af dag- og døgnpladser på Misbrugsområdet: Dag/døgnbehandling Efterbehandling Stofmisbrug",
               "Places used, substance abuse: day/residential aftercare, drugs", "places", "substance_abuse_places")),
             ("Substitutionsbehandling", ("Forbrug af dag- og døgnpladser på Misbrugsområdet: Substitutionsbehandling",
                                          "Places used, substance abuse: substitution treatment", "places",
                                          "substance_abuse_places")),
         ]),
    dict(sector="VF", title="Udvalgte nøgletal samt aktivitetsforudsætninger",
         header=["", "Pladser", "Regnskab", "Oprindeligt budget"],
         rows=[
             ("Forbrug af pladser på institutioner for misbrugs- og udstødteområdet", None),
             ("Svenstrupgård - forsorgshjem", ("Svenstrupgård - forsorgshjem", "Svenstrupgård - shelter", "places",
                                               "shelter_places")),
             ("- heraf solgt til Aalborg Kommune", ("Svenstrupgård - forsorgshjem - heraf solgt til Aalborg Kommune",
                                                    "Svenstrupgård - shelter: of which sold to Aalborg Kommune",
                                                    "places", "shelter_places_aalborg")),
             ("Svenstrupgård - Det alternative Bofællesskab",
              ("Svenstrupgård - Det alternative Bofællesskab", "Svenstrupgård - alternative shared housing",
               "places", "shelter_places")),
             ("- heraf solgt til Aalborg Kommune",
              ("Svenstrupgård - Det alternative Bofællesskab - heraf solgt til Aalborg Kommune",
               "Svenstrupgård - alternative shared housing: of which sold to Aalborg Kommune", "places",
               "shelter_places_aalborg")),
             ("Kirkens Korshærs Herberg", ("Kirkens Korshærs Herberg", "Church Army hostel", "places",
                                           "shelter_places")),
             ("- heraf solgt til Aalborg Kommune", ("Kirkens Korshærs Herberg - heraf solgt til Aalborg Kommune",
                                                    "Church Army hostel: of which sold to Aalborg Kommune", "places",
                                                    "shelter_places_aalborg")),
             ("Kirkens Korshærs Bofællesskab", ("Kirkens Korshærs Bofællesskab", "Church Army shared housing",
                                                "places", "shelter_places")),
             ("- heraf solgt til Aalborg Kommune", ("Kirkens Korshærs Bofællesskab - heraf solgt til Aalborg Kommune",
                                                    "Church Army shared housing: of which sold to Aalborg Kommune",
                                                    "places", "shelter_places_aalborg")),
             ("Krisecentret for Kvinder", ("Krisecentret for Kvinder", "Women's crisis centre", "places",
                                           "shelter_places")),
             ("- heraf solgt til Aalborg Kommune", ("Krisecentret for Kvinder - heraf solgt til Aalborg Kommune",
                                                    "Women's crisis centre: of which sold to Aalborg Kommune",
                                                    "places", "shelter_places_aalborg")),
         ]),
    dict(sector="ADM", title="Udvalgte nøgletal samt aktivitetsforudsætninger",
         header=["", "Regnskab", "Oprindeligt budget"],
         rows=[(label, (f"Personalenormering: {label}", f"Staff (FTE): {en}", "FTE", "staff_fte")) for label, en in [
             ("Kommissioner, råd og nævn", "commissions, councils and boards"),
             ("Administrationsbygninger", "administration buildings"),
             ("Øvrig administration (heraf elever 37,57 elever)", "other administration (incl. 37.57 trainees)"),
             ("Fælles IT og telefoni", "shared IT and telephony"),
             ("Jobcentre", "job centres"),
             ("Det specialiserede børneområde", "specialised services for children"),
             ("Myndighedsudøvelse", "exercise of authority"),
             ("I alt", "total"),
         ]]),
]
# groups of indicator rows that must sum to their 'I alt' (indicator names)
INDICATOR_SUMS = [
    ("Antal pladser 0-2 år: I alt", [n for n in [
        "Dagplejen", "Institutioner", "Puljeordninger", "Private institutioner",
        "Frit valg ordningen (privat pasning)", "Landsbyordninger"]], "Antal pladser 0-2 år: "),
    ("Antal pladser 3-5 år: I alt", ["Institutioner", "Puljeordninger", "Private institutioner",
                                     "Landsbyordninger"], "Antal pladser 3-5 år: "),
    ("Gennemsnitligt antal anbragte med sociale adfærdsproblemer: I alt", ["Døgngleje", "Døgninstitutioner"],
     "Gennemsnitligt antal anbragte med sociale adfærdsproblemer: "),
    ("Gennemsnitligt antal anbragte med nedsat funktionsevne: I alt", ["Døgngleje", "Døgninstitutioner"],
     "Gennemsnitligt antal anbragte med nedsat funktionsevne: "),
    ("Personalenormering: I alt", ["Kommissioner, råd og nævn", "Administrationsbygninger",
                                   "Øvrig administration (heraf elever 37,57 elever)", "Fælles IT og telefoni",
                                   "Jobcentre", "Det specialiserede børneområde", "Myndighedsudøvelse"],
     "Personalenormering: "),
]

# ---- goals (Mål og resultatkrav) --------------------------------------------------------
CROSS = "Tværfaglig, forebyggende og helhedsorienteret indsats"
# Figures are given as printed; the importer finds them in the quoted text and parses them.
# `where`: phrase with {} for the figure, which must occur in the line.
GOALS = [
    dict(item_code="VB", perspective="client", perspective_original="Mål- og Resultatkrav", goal_type="outcome",
         goal="målet for antallet af unge på offentlig forsørgelse ved udgangen af 2014 var 4.585 fuldtidspersoner",
         goal_en="The target for the number of young people on public support at the end of 2014 was 4,585 "
                 "full-time persons.",
         quote="Antallet af unge på offentlig forsørgelse er i 2014 faldet med 6 %, svarende til et fald på 293 "
               "fuldtidspersoner fra 4.926 fuldtidspersoner i januar 2014 til 4.632 fuldtidspersoner i december 2014.",
         metric="Antal unge på offentlig forsørgelse (fuldtidspersoner)",
         metric_en="Young people on public support (full-time persons)", unit="full-time persons",
         direction="lower_is_better", target=("4.585", "var {} fuldtidspersoner"),
         result=("4.632", "til {} fuldtidspersoner i december 2014"),
         baseline=("4.926", "fra {} fuldtidspersoner i januar 2014"), baseline_year=2014, target_year=2014,
         note="baseline January 2014, result December 2014"),
    dict(item_code="VB", perspective="client", perspective_original="Mål- og Resultatkrav", goal_type="outcome",
         goal="Dermed ligger jobcentret under målet på 350 tilkendelser.",
         goal_en="The job centre is thereby below the target (ceiling) of 350 disability pension awards.",
         quote="Antallet af tilkendelser til førtidspension er faldet med 24 %, svarende til et fald på 78 "
               "tilkendelser fra 320 tilkendelser i 2013 til 242 tilkendelser i 2014. Dermed ligger jobcentret "
               "under målet på 350 tilkendelser.",
         metric="Antal tilkendelser til førtidspension", metric_en="Disability pension awards", unit="awards",
         direction="lower_is_better", target=("350", "målet på {} tilkendelser"),
         result=("242", "til {} tilkendelser i 2014"), baseline=("320", "fra {} tilkendelser i 2013"),
         baseline_year=2013, target_year=2014, note=None),
    dict(item_code="VB", perspective="client", perspective_original="Mål- og Resultatkrav", goal_type="outcome",
         goal="Dermed ligger jobcentret over målet på 1.423 personer.",
         goal_en="The job centre is thereby above the target of 1,423 long-term unemployed persons.",
         quote="Antallet af langtidsledige er faldet med 3 %, svarende til et fald på 40 personer fra 1.596 personer "
               "i januar 2014 til 1.556 personer i december 2014. Dermed ligger jobcentret over målet på 1.423 "
               "personer.",
         metric="Antal langtidsledige", metric_en="Long-term unemployed persons", unit="persons",
         direction="lower_is_better", target=("1.423", "målet på {} personer"),
         result=("1.556", "til {} personer i december 2014"), baseline=("1.596", "fra {} personer i januar 2014"),
         baseline_year=2014, target_year=2014, note="baseline January 2014, result December 2014"),
    dict(item_code="VB", perspective="client", perspective_original="Mål- og Resultatkrav", goal_type="output",
         goal="hvilket ligger over målet på 225 personer",
         goal_en="Target: 225 job-ready social assistance recipients over 30 in company-oriented placements per month.",
         quote="Siden august 2014 har der i gennemsnit været 251 jobparate over 30 år i et virksomhedsrettet tilbud om "
               "måneden, hvilket ligger over målet på 225 personer.",
         metric="Jobparate over 30 år i virksomhedsrettet tilbud (gennemsnit pr. måned siden august 2014)",
         metric_en="Job-ready persons over 30 in company-oriented placements (monthly average since August 2014)",
         unit="persons", direction="higher_is_better", target=("225", "målet på {} personer"),
         result=("251", "været {} jobparate"), baseline=None, baseline_year=None, target_year=2014, note=None),
    dict(item_code="BU", perspective="client", perspective_original=CROSS,
         goal_type="outcome",
         goal="andelen af 15-17-årige udsatte unge, der modtager en fældende strafferetlig afgørelse skal reduceres til "
              "højst 9 % i 2020",
         goal_en="The share of vulnerable 15-17-year-olds receiving a criminal conviction is to be reduced to at most "
                 "9 % by 2020 (national target).",
         quote="Den seneste måling fra Aalborg (2011) viser, at det andelen da var på 11 %. Der findes ikke nyere tal.",
         metric="Andel 15-17-årige udsatte unge med fældende strafferetlig afgørelse",
         metric_en="Share of vulnerable 15-17-year-olds with a criminal conviction", unit="percent",
         direction="lower_is_better", target=("9", "højst {} % i 2020"), result=("11", "var på {} %"),
         baseline=None, baseline_year=None, target_year=2020,
         note="result is the latest measurement (2011); target year 2020; government target adopted locally"),
    dict(item_code="BU", perspective="legal", perspective_original="Børn og Unge med særlige behov",
         goal_type="process",
         goal="alle indkomne underretninger skal vurderes ift. om de skal behandles \"akut\" senest 24 timer efter, at "
              "de er modtaget i kommunen",
         goal_en="All notifications received must be assessed within 24 hours as to whether they need urgent handling.",
         quote="24 timers reglen overholdes i 99,6 % af alle tilfælde",
         metric="Andel underretninger vurderet inden for 24 timer",
         metric_en="Share of notifications assessed within 24 hours", unit="percent", direction="higher_is_better",
         target=None, result=("99,6", "overholdes i {} %"), baseline=None, baseline_year=None, target_year=None,
         note="statutory rule without a numeric target in the text"),
    dict(item_code="BU", perspective="client", perspective_original="Sundhed og trivsel", goal_type="output",
         goal="Planen er, at der fremover hvert år skal iværksættes ca. 100 nye kursusforløb.",
         goal_en="The plan is to start about 100 new courses of the parenting programme 'Hånd om Barnet' every year.",
         quote="Der er ved udgangen af 2014 igangsat 13 kursusforløb, hvor der deltager 10 forældre pr. forløb. "
               "Planen er, at der fremover hvert år skal iværksættes ca. 100 nye kursusforløb.",
         metric="Nye kursusforløb pr. år (Hånd om Barnet)", metric_en="New parenting courses per year",
         unit="courses", direction="higher_is_better", target=("100", "ca. {} nye kursusforløb"), result=None,
         baseline=None, baseline_year=None, target_year=None,
         note="13 courses started by the end of 2014 (first course June 2014); the annual plan applies from 2015"),
    dict(item_code="BU", perspective="client", perspective_original=CROSS,
         goal_type="outcome",
         goal="færre børn, der havde behov for støtteindsats",
         goal_en="Fewer children needing individual support in day care.",
         quote="Det har fra 2013 til 2014 betydet et fald fra 295 til 216 i antallet af individuelle indsatser.",
         metric="Antal individuelle indsatser i dagpasningstilbud",
         metric_en="Individual support interventions in day care",
         unit="interventions", direction="lower_is_better", target=None, result=("216", "til {} i antallet"),
         baseline=("295", "fra {} til"), baseline_year=2013, target_year=2014,
         note="directional goal without a number"),
    dict(item_code="BU", perspective="client", perspective_original=CROSS,
         goal_type="outcome",
         goal="færre børn der udsatte skolestarten",
         goal_en="Fewer children deferring school start.",
         quote="I 2011 fik 162 børn udsat skolestarten. I 2014 var dette reduceret til 129.",
         metric="Antal børn med udsat skolestart", metric_en="Children deferring school start", unit="children",
         direction="lower_is_better", target=None, result=("129", "reduceret til {}."),
         baseline=("162", "I 2011 fik {} børn"), baseline_year=2011, target_year=2014,
         note="directional goal without a number"),
    dict(item_code="BU", perspective="process_quality", perspective_original="Innovation og digitalisering",
         goal_type="structure",
         goal="Målet for 2014 var at implementere et nyt system til registrering og journalisering af sundhedsdata.",
         goal_en="Goal for 2014: implement a new system for recording and filing health data.",
         quote="Aalborg Kommune har implementeret et nyt system til registrering og journalisering af sundhedsdata for "
               "børn.",
         metric="Nyt system til sundhedsdata implementeret", metric_en="New health data system implemented",
         unit=None, direction="none", target=None, result=None, baseline=None, baseline_year=None, target_year=2014,
         status="met", note="qualitative goal; the text reports it as implemented"),
    dict(item_code="VF", perspective="client", perspective_original=None, goal_type="output",
         goal="I omsætningen er et særligt fokus på at øge antallet af borgere i misbrugsbehandling.",
         goal_en="Increase the number of citizens in substance abuse treatment.",
         quote="I 2013 modtog i alt 157 borgere misbrugsbehandling, hvilket i 2014 steg til 191 borgere.",
         metric="Antal borgere i misbrugsbehandling", metric_en="Citizens in substance abuse treatment",
         unit="persons", direction="higher_is_better", target=None, result=("191", "steg til {} borgere"),
         baseline=("157", "i alt {} borgere"), baseline_year=2013, target_year=None,
         note="directional goal without a number"),
]

# Stated changes in the text: (anchor, from, to, stated difference, stated percent), figures as printed.
TEXT_CHANGES = [
    ("offentlig forsørgelse i 2014, hvilket svarer til et fald på 492", "23.890", "23.398", "492", "2"),
    ("Antallet af unge på offentlig forsørgelse er i 2014 faldet", "4.926", "4.632", "293", "6"),
    ("Antallet af tilkendelser til førtidspension er faldet", "320", "242", "78", "24"),
    ("Antallet af langtidsledige er faldet", "1.596", "1.556", "40", "3"),
    ("et fald fra 295 til 216 i antallet af individuelle indsatser", "295", "216", None, "28"),
]

_SLUG = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slug(text: str) -> str:
    """'Dagpleje og daginstitutioner' -> 'dagpleje_og_daginstitutioner'."""
    s = text.translate(_SLUG).lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")
