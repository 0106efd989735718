"""Write the returned workbooks of the MILE 2009 follow-up example.

Run from the repository root:

    python examples/mile-2009/make_returns.py

Every workbook is the one `urbsurvey template` writes (`build_workbook`), filled
in the Answer column (C) of the row whose ID (column A) is the question id, as
the partners and the thematic expert did. The answers below are illustrative;
the totals they add up to are the published ones (see README.md).

A few returns carry the small imperfections real returns have: two rows a
partner inserted in the middle of the sheet, answers typed as codes, on new
lines or in lower case, a number without a currency, a name written as an
alias, notes in the Notes column, one managing authority disagreeing with its
city, and two workbooks saved as .ods and .xls with LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

from urbsurvey.definition import Role
from urbsurvey.resources import load_questionnaire
from urbsurvey.workbook import contract
from urbsurvey.workbook.cells import put
from urbsurvey.workbook.partners import WorkbookSpec
from urbsurvey.workbook.template import build_workbook
from urbsurvey.workbook.words import header_words

HERE = Path(__file__).resolve().parent
RETURNS = HERE / "returns"
INTERVIEWS = RETURNS / "interviews"
QUESTIONNAIRE = "mile-followup-2009"
EXPERT = "Dr. Haroon Saad"
NBSP = "\u00a0"

# --------------------------------------------------------------------------- city questionnaires
# One dict per partner: the file stem, the workbook language, the respondent
# block, the answers by question id and any note the partner wrote (column E).

CITIES: dict[str, dict[str, Any]] = {
    "Venice": {
        "file": "venice",
        "lang": "en",
        "respondent": {
            "respondent.organisation": "Comune di Venezia, Direzione Politiche Sociali, Servizio Immigrazione",
            "respondent.name": "Giulia Marin",
            "respondent.email": "g.marin@comune-venezia.example",
            "respondent.date": dt.date(2009, 10, 19),
        },
        "answers": {
            "ulsg_functioning": "Yes, it continues and meets regularly",
            "ulsg_sustaining": (
                "The LSG meets every two months at the Immigration Service. Its members (trade "
                "associations, the Chamber of Commerce, migrant associations, the Province and a "
                "bank foundation) are well networked across the Venice area and bring their own "
                "contacts into the LAP. The Councillor for Social Policies chairs one meeting a "
                "year, which keeps the LSG visible at political level."
            ),
            "lap_stage": "Being implemented in part",
            "lap_actions_implemented": 3,
            "lap_unplanned": (
                "Two municipalities of the Province asked to join the start-up desk for migrant "
                "entrepreneurs."
            ),
            "core_group_active": "Yes",
            "experience_shared": (
                "Other departments or staff in our organisation; Other cities; Other organisations"
            ),
            "local_impact": (
                "Good practice incorporated into local services; New partnerships; "
                "Awareness-raising events"
            ),
            "local_impact_details": (
                "The LAP outcomes were transferred into mainstream actions: the start-up desk for "
                "migrant entrepreneurs is now a regular service of the City and the Chamber of "
                "Commerce, and its mentoring scheme is part of an ESF-financed regional project. "
                "About 60 entrepreneurs used the desk in its first four months; two awareness "
                "events were held in Mestre."
            ),
            "ma_relation": (
                "Regione del Veneto took part in the transnational exchange. We organised separate "
                "meetings with the Region's ESF and ERDF offices in Venice to present the LAP; "
                "once they saw what it was about they became interested and gave a provisional "
                "indication of ESF support."
            ),
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "Yes",
            "ma_funding_indication": "Yes",
            "funding_secured": "€ 400.000,00",
            "funding_provisional": 150000,  # a number cell: euro implied
            "funding_sources": "ESF; National funds; Regional or local budgets",
            "barriers": (
                "Working across departments: the LAP concerns the social, economic development "
                "and training services, each with its own priorities. The timetable of the "
                "regional calls did not match the LAP."
            ),
            "barriers_overcome": (
                "We focused the LAP on three concrete actions (start-up desk, mentoring scheme, "
                "micro-credit guarantee), each written as a project proposal for an identified "
                "funding source."
            ),
        },
        "notes": {
            "funding_provisional": "Indicated by Regione del Veneto; the ESF call is expected in early 2010.",
        },
    },
    "Amadora": {
        "file": "amadora",
        "lang": "en",
        "respondent": {
            "respondent.organisation": "Câmara Municipal da Amadora, Departamento de Educação e Desenvolvimento Sociocultural",
            "respondent.name": "Ana Rodrigues",
            "respondent.email": "ana.rodrigues@cm-amadora.example",
            "respondent.date": dt.date(2009, 10, 14),
        },
        "answers": {
            "ulsg_functioning": "Yes, it continues and meets regularly",
            "ulsg_sustaining": (
                "The LSG has become a formal partnership, with a protocol signed by the "
                "Municipality of Amadora, the university ISCTE, the Calouste Gulbenkian "
                "Foundation, local NGOs and a big company settled in Amadora, Dolce Vita Tejo "
                "(Grupo Chamartin). It meets every month, each partner hosting in turn."
            ),
            "lap_stage": "Being implemented in part",
            "lap_actions_implemented": 3,
            "lap_unplanned": (
                "Dolce Vita Tejo offered work placements to young people from the target "
                "neighbourhoods, which was not in the LAP."
            ),
            "core_group_active": "Yes",
            "experience_shared": "Other departments or staff in our organisation; Other organisations",
            "local_impact": (
                "Inter-agency collaboration supported or renewed; New partnerships; "
                "Awareness-raising events"
            ),
            "local_impact_details": (
                "The LAP outcomes were transferred into the municipal social development plan and "
                "into two ESF-financed neighbourhood projects (mainstream actions). 14 "
                "organisations now work together; three neighbourhood events reached about 400 "
                "residents."
            ),
            "ma_relation": (
                "CCDR Lisboa e Vale do Tejo was invited to separate meetings at local level to "
                "discuss the LAP. At first they did not see their role; after the second meeting "
                "they joined the LSG and indicated possible support."
            ),
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "Yes",
            "ma_funding_indication": "Yes",
            "funding_secured": "350.000 €",
            "funding_provisional": "EUR 120k",
            "funding_sources": "National funds; Private or foundation funds; Regional or local budgets",
            "barriers": (
                "Reaching the target groups in the neighbourhoods; little local data on the "
                "migrant population and how it sees local services."
            ),
            "barriers_overcome": (
                "We used community facilitators from the neighbourhoods to reach the target "
                "groups and gather their views: this became the evidence base of the LAP. The LAP "
                "was narrowed to three concrete actions, each a project proposal."
            ),
        },
        "notes": {},
    },
    "Komotini": {
        # Saved as .ods; multiple choices typed as codes.
        "file": "komotini",
        "lang": "en",
        "convert": "ods",
        "respondent": {
            "respondent.organisation": "Municipality of Komotini, Department of Social Policy",
            "respondent.name": "Eleni Papadopoulou",
            "respondent.email": "e.papadopoulou@komotini.example",
            "respondent.date": dt.date(2009, 10, 27),
        },
        "answers": {
            "ulsg_functioning": "Informally: members still meet in other local groupings",
            "ulsg_sustaining": (
                "The LSG no longer meets as such, but Komotini is a small town: its members (the "
                "municipality, the Prefecture, the university, the employment office and the "
                "associations) come across each other every week in other local committees and "
                "carry on the work there."
            ),
            "lap_stage": "Being implemented in part",
            "lap_actions_implemented": 2,
            "lap_unplanned": "The Greek language courses for migrant parents were opened to other residents on request.",
            "core_group_active": "Partly",
            "experience_shared": "own_departments; other_cities",
            "local_impact": "awareness_events; inter_agency; new_ideas",
            "local_impact_details": (
                "The issues raised by the LAP (access of migrants to services and to jobs) were "
                "brought into the wider local discussions of the municipal social committee and "
                "the local employment pact, which gave the LAP a bigger buy-in. Two awareness "
                "events were held in 2009."
            ),
            "ma_relation": (
                "We held separate meetings in Komotini with the managing authority of the Region "
                "of Eastern Macedonia-Thrace to present the LAP. It was new to them, but they "
                "showed interest once they understood it."
            ),
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "No",
            "ma_funding_indication": "No",
            "barriers": "No staff dedicated to the LSG; the budget covered few local activities.",
            "barriers_overcome": (
                "We kept the LAP to two concrete actions that can become project proposals for "
                "the regional operational programme."
            ),
        },
        "notes": {},
    },
    "Nea Alikarnassos": {
        # Yes/no typed in lower case.
        "file": "nea-alikarnassos",
        "lang": "en",
        "respondent": {
            "respondent.organisation": "Municipality of Nea Alikarnassos",
            "respondent.name": "Manolis Stavrakakis",
            "respondent.email": "m.stavrakakis@nea-alikarnassos.example",
            "respondent.date": "23/10/2009",
        },
        "answers": {
            "ulsg_functioning": "Informally: members still meet in other local groupings",
            "ulsg_sustaining": (
                "In a small municipality like ours the LSG members meet all the time in other "
                "contexts (the municipal council, the school boards, the committee for the Roma "
                "settlement), so the LSG goes on informally."
            ),
            "lap_stage": "Being implemented in part",
            "lap_actions_implemented": 2,
            "lap_unplanned": "The primary school near the settlement started its own homework club.",
            "core_group_active": "Partly",
            "experience_shared": "Other departments or staff in our organisation; Other organisations",
            "local_impact": "Inter-agency collaboration supported or renewed; New ideas stimulated",
            "local_impact_details": (
                "The LAP on the Roma settlement became part of the wider local discussions, in the "
                "municipal council and with the Region of Crete. Its outcomes were transferred to "
                "mainstream actions: the health mediator is now part of an ERDF-financed project "
                "of the Region for the settlement."
            ),
            "ma_relation": (
                "We had separate meetings at local level with the managing authority of the "
                "Region of Crete, and visited the settlement with them."
            ),
            "ma_separate_meetings": "yes",
            "ma_in_lsg": "no",
            "ma_funding_indication": "no",
            "barriers": "Roma issues are a 'hot' issue locally, and each service worked on its own.",
            "barriers_overcome": (
                "Because the LAP focuses on Roma issues it needed an inter-services, multi-agency "
                "approach: health, education and social services, the police and the Roma "
                "association were all struggling with the issue and took part. We chose two "
                "concrete actions: a health mediator and support for school enrolment."
            ),
        },
        "notes": {},
    },
    "Rotterdam": {
        # The partner wrote the borough's name (an alias) over the pre-filled one.
        "file": "rotterdam",
        "lang": "en",
        "respondent": {
            "respondent.partner": "Rotterdam Charlois",
            "respondent.organisation": "Deelgemeente Charlois, Rotterdam",
            "respondent.name": "Pieter de Vries",
            "respondent.email": "p.devries@charlois-rotterdam.example",
            "respondent.date": dt.date(2009, 11, 4),
        },
        "answers": {
            "ulsg_functioning": "No",
            "lap_stage": "Discontinued",
            "lap_unplanned": (
                "After the reorganisation of the borough and changes of staff, the three concrete "
                "project proposals of the LAP were not taken forward."
            ),
            "core_group_active": "no",
            "experience_shared": "Other departments or staff in our organisation",
            "local_impact": "No impact yet",
            "ma_relation": "Contacts with Kansen voor West were limited to one information meeting.",
            "ma_separate_meetings": "no",
            "ma_in_lsg": "No",
            "ma_funding_indication": "No",
            "barriers": (
                "The core group became too large and its members changed after the borough "
                "reorganisation; nobody had time for the LSG."
            ),
            "barriers_overcome": (
                "We kept the LAP to three concrete project proposals, but could not keep the "
                "group together."
            ),
        },
        "notes": {},
    },
    "Sevilla": {
        # Answers in French; multiple choices on separate lines.
        "file": "sevilla",
        "lang": "fr",
        "respondent": {
            "respondent.organisation": "Ayuntamiento de Sevilla, Delegación de Empleo",
            "respondent.name": "Carmen Ruiz Ortega",
            "respondent.email": "c.ruiz@sevilla.example",
            "respondent.date": dt.date(2009, 10, 21),
        },
        "answers": {
            "ulsg_functioning": "Oui, il continue et se réunit régulièrement",
            "ulsg_sustaining": (
                "Le GLS se réunit chaque trimestre. Ses membres (Junta de Andalucía, chambre de "
                "commerce, syndicats, associations d'immigrés) sont bien insérés dans les réseaux "
                "du territoire. La déléguée municipale à l'emploi présente ses travaux au conseil "
                "municipal, ce qui donne au GLS sa légitimité."
            ),
            "lap_stage": "Entièrement mis en œuvre",
            "lap_actions_implemented": 2,
            "lap_unplanned": (
                "Les conseillers d'entreprise d'autres districts ont demandé la formation à la "
                "médiation culturelle."
            ),
            "core_group_active": "Oui",
            "experience_shared": "D'autres services ou agents de notre organisation\nD'autres villes",
            "local_impact": "Bonnes pratiques intégrées aux services locaux\nNouvelles idées suscitées",
            "local_impact_details": (
                "La médiation culturelle a été intégrée au programme municipal d'aide aux "
                "entreprises (action courante) : 25 conseillers d'entreprise formés en 2009."
            ),
            "ma_relation": (
                "La Junta de Andalucía participe au GLS, mais il n'y a pas eu de réunion "
                "spécifique sur le PAL."
            ),
            "ma_separate_meetings": "Non",
            "ma_in_lsg": "oui",
            "ma_funding_indication": "Non",
            "barriers": "Peu de données partagées sur les entrepreneurs immigrés.",
            "barriers_overcome": (
                "Nous avons organisé des réunions avec les associations et créé des données "
                "partagées entre les services : c'est la base factuelle du PAL. Le PAL a été "
                "limité à deux actions concrètes."
            ),
        },
        "notes": {},
    },
    "Timisoara": {
        # The partner inserted a blank row and a comment row in the middle of the sheet.
        "file": "timisoara",
        "lang": "en",
        "insert_rows_after": "lap_unplanned",
        "inserted_comment": "Section 2 answers agreed with the LSG coordinator on 20 October.",
        "respondent": {
            "respondent.partner": "Timișoara",
            "respondent.organisation": "Primăria Municipiului Timișoara, Direcția Programe",
            "respondent.name": "Andrei Popescu",
            "respondent.email": "andrei.popescu@primariatm.example",
            "respondent.date": dt.date(2009, 10, 29),
        },
        "answers": {
            "ulsg_functioning": "Informally: members still meet in other local groupings",
            "ulsg_sustaining": (
                "The LSG members are well networked in the territory. They now meet in the county "
                "working group for Roma inclusion and at the Intercultural Institute, rather than "
                "as the LSG."
            ),
            "lap_stage": "Being implemented in part",
            "lap_actions_implemented": 3,
            "lap_unplanned": "The county school inspectorate adopted the school mediator action for two more schools.",
            "core_group_active": "Partly",
            "experience_shared": "Other departments or staff in our organisation; Other cities",
            "local_impact": "Inter-agency collaboration supported or renewed; New ideas stimulated",
            "local_impact_details": (
                "Social assistance, schools, the health service and the employment agency now "
                "meet monthly on the two Roma neighbourhoods."
            ),
            "ma_relation": (
                "We organised separate meetings with ADR Vest, the regional development agency, to "
                "present the LAP and the project proposals; they took part in the LSG."
            ),
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "Yes",
            "ma_funding_indication": "Yes",
            "funding_secured": "RON 500.000",
            "funding_sources": "National funds; Other EU programmes; Regional or local budgets",
            "barriers": "Each service worked on its own; the Roma issue is sensitive locally.",
            "barriers_overcome": (
                "We chose Roma issues, a 'hot' issue that needs an inter-services approach: "
                "social assistance, schools, health and the employment agency were all struggling "
                "with it and joined in. The LAP has three concrete actions, each a project proposal."
            ),
        },
        "notes": {
            "funding_secured": "City budget 2010 and national Roma agency grant.",
        },
    },
    "Torino": {
        # Saved as .xls.
        "file": "torino",
        "lang": "en",
        "convert": "xls",
        "respondent": {
            "respondent.organisation": "Città di Torino, Settore Stranieri e Nomadi",
            "respondent.name": "Marco Ferrero",
            "respondent.email": "marco.ferrero@comune-torino.example",
            "respondent.date": dt.date(2009, 11, 2),
        },
        "answers": {
            "ulsg_functioning": "No",
            "lap_stage": "Adopted, implementation not yet started",
            "lap_unplanned": (
                "The issues raised by the LAP (migrant women and work) were taken into the wider "
                "local discussions of the city's immigration forum and the district councils. "
                "Its two concrete project proposals wait for the next ESF call of Regione Piemonte."
            ),
            "core_group_active": "Partly",
            "experience_shared": "Other departments or staff in our organisation",
            "local_impact": "New ideas stimulated; Awareness-raising events",
            "local_impact_details": "Three district meetings on migrant women and work, about 150 participants.",
            "ma_relation": "Regione Piemonte was informed through the usual ESF channels; no separate meeting.",
            "ma_separate_meetings": "No",
            "ma_in_lsg": "No",
            "ma_funding_indication": "No",
            "barriers": "The core group was too large, and the immigration office was reorganised in 2009.",
            "barriers_overcome": "We moved the LAP discussion into existing city forums.",
        },
        "notes": {},
    },
    "Vantaa": {
        # Answers in French, choices with the French labels; a non-breaking space in an amount.
        "file": "vantaa",
        "lang": "fr",
        "respondent": {
            "respondent.organisation": "Ville de Vantaa, service de l'immigration",
            "respondent.name": "Liisa Virtanen",
            "respondent.email": "liisa.virtanen@vantaa.example",
            "respondent.date": dt.date(2009, 10, 16),
        },
        "answers": {
            "ulsg_functioning": "Oui, il continue et se réunit régulièrement",
            "ulsg_sustaining": (
                "Nous avons adopté une politique de « porte ouverte » : le GLS s'est formé peu à "
                "peu et sa composition a changé pendant le projet MILE, ce qui a gardé l'énergie "
                "et élargi la participation. Les élus du conseil municipal chargés de "
                "l'intégration sont informés régulièrement de ses travaux."
            ),
            "lap_stage": "Entièrement mis en œuvre",
            "lap_actions_implemented": 3,
            "lap_unplanned": (
                "Les questions du PAL ont été portées dans des discussions locales plus larges : "
                "forums de quartier et conseil consultatif multiculturel."
            ),
            "core_group_active": "Oui",
            "experience_shared": "D'autres services ou agents de notre organisation; D'autres villes; D'autres organisations",
            "local_impact": "Cadre politique local nouveau ou adapté; Collaboration inter-services soutenue ou relancée",
            "local_impact_details": (
                "MILE a servi à revoir et renouveler la stratégie multiculturelle de la ville. "
                "Nous avons aussi influencé un grand projet FSE, qui intègre dès le départ de "
                "meilleures mesures d'inclusion active."
            ),
            "ma_relation": (
                "Le Centre ELY d'Uusimaa a été informé, sans réunion spécifique ; il a donné une "
                "indication provisoire de financement."
            ),
            "ma_separate_meetings": "Non",
            "ma_in_lsg": "Non",
            "ma_funding_indication": "Oui",
            "funding_secured": f"210{NBSP}000 €",
            "funding_provisional": "EUR 50k",
            "funding_sources": "Fonds nationaux; Autres programmes de l'UE; Budgets régionaux ou locaux",
            "barriers": "Difficile de travailler entre services ; peu de temps pour le GLS.",
            "barriers_overcome": (
                "Le PAL a été centré sur trois actions concrètes, chacune présentée comme un "
                "projet visant une source de financement."
            ),
        },
        "notes": {},
    },
}

# --------------------------------------------------------------------------- managing authorities
# They answer the managing-authorities section. ADR Vest disagrees with Timisoara
# on whether it took part in the LSG.

MANAGING_AUTHORITIES: dict[str, dict[str, Any]] = {
    "Venice": {
        "file": "venice",
        "respondent": {
            "respondent.organisation": "Regione del Veneto, Direzione Programmi Comunitari",
            "respondent.name": "Paolo Zanetti",
            "respondent.email": "p.zanetti@regione-veneto.example",
            "respondent.date": dt.date(2009, 10, 30),
        },
        "answers": {
            "ma_relation": (
                "We met the City of Venice separately to discuss the LAP and took part in the "
                "MILE exchange, which put us in touch with other managing authorities."
            ),
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "Yes",
            "ma_funding_indication": "Yes",
            "barriers": "The LAP timetable and the calls of the operational programme do not match.",
        },
        "notes": {},
    },
    "Amadora": {
        "file": "amadora",
        "respondent": {
            "respondent.organisation": "CCDR Lisboa e Vale do Tejo",
            "respondent.name": "Rui Santos",
            "respondent.email": "rui.santos@ccdr-lvt.example",
            "respondent.date": dt.date(2009, 11, 3),
        },
        "answers": {
            "ma_relation": (
                "The municipality invited us to separate meetings on the LAP; it was a new role "
                "for us, but the plan fits the regional programme's urban priority."
            ),
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "Yes",
            "ma_funding_indication": "Yes",
        },
        "notes": {},
    },
    "Timisoara": {
        "file": "timisoara",
        "respondent": {
            "respondent.partner": "Timișoara",
            "respondent.organisation": "ADR Vest (Agenția pentru Dezvoltare Regională Vest)",
            "respondent.name": "Ioana Radu",
            "respondent.email": "ioana.radu@adrvest.example",
            "respondent.date": dt.date(2009, 11, 5),
        },
        "answers": {
            "ma_relation": (
                "The city met us separately twice about the LAP. We are not members of its LSG: "
                "we attended one meeting as observers."
            ),
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "No",  # Timisoara says Yes: the report shows the conflict
            "ma_funding_indication": "Yes",
        },
        "notes": {
            "ma_in_lsg": "Attended once as observer.",
        },
    },
}

# --------------------------------------------------------------------------- interviews
# Twelve telephone interviews by the thematic expert: one per city and one per
# managing authority above. Answers repeat the questionnaire; notes go in column E.

CITY_INTERVIEWS: dict[str, dict[str, Any]] = {
    "Venice": {
        "interviewee": "Giulia Marin, Comune di Venezia",
        "date": dt.date(2009, 11, 3),
        "answers": {
            "ulsg_functioning": "Yes, it continues and meets regularly",
            "ulsg_sustaining": (
                "Key politicians know the LSG: the Councillor for Social Policies chairs a meeting "
                "each year, which gives the group legitimacy and keeps the momentum."
            ),
            "lap_stage": "Being implemented in part",
            "lap_actions_implemented": 3,
            "local_impact": "Good practice incorporated into local services; New partnerships; Awareness-raising events",
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "Yes",
        },
        "notes": {
            "ulsg_sustaining": "Political visibility stressed as the main factor of continuity.",
            "lap_stage": "Start-up desk running; micro-credit guarantee waiting for the regional call.",
        },
    },
    "Amadora": {
        "interviewee": "Ana Rodrigues, Câmara Municipal da Amadora",
        "date": dt.date(2009, 11, 2),
        "answers": {
            "ulsg_functioning": "Yes, it continues and meets regularly",
            "ulsg_sustaining": (
                "The members were chosen because they are well networked in the territory: the "
                "NGOs in the neighbourhoods, ISCTE and Gulbenkian with researchers and funders, "
                "Dolce Vita Tejo with employers."
            ),
            "lap_stage": "Being implemented in part",
            "lap_actions_implemented": 3,
            "local_impact": "Inter-agency collaboration supported or renewed; New partnerships; Awareness-raising events",
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "Yes",
        },
        "notes": {
            "ulsg_sustaining": "Formal protocol signed in September 2009; good example for new networks.",
            "ma_separate_meetings": "CCDR-LVT became interested after the second local meeting.",
        },
    },
    "Komotini": {
        "interviewee": "Eleni Papadopoulou, Municipality of Komotini",
        "date": dt.date(2009, 11, 5),
        "answers": {
            "ulsg_functioning": "Informally: members still meet in other local groupings",
            "ulsg_sustaining": "Small town: the LSG members see each other in other committees every week.",
            "lap_stage": "Being implemented in part",
            "lap_actions_implemented": 2,
            "local_impact": "Awareness-raising events; Inter-agency collaboration supported or renewed; New ideas stimulated",
            "ma_separate_meetings": "Yes",
        },
        "notes": {
            "ulsg_sustaining": "Size of place matters: no formal meetings needed.",
        },
    },
    "Nea Alikarnassos": {
        "interviewee": "Manolis Stavrakakis, Municipality of Nea Alikarnassos",
        "date": dt.date(2009, 11, 5),
        "answers": {
            "ulsg_functioning": "Informally: members still meet in other local groupings",
            "lap_stage": "Being implemented in part",
            "lap_actions_implemented": 2,
            "local_impact": "Inter-agency collaboration supported or renewed; New ideas stimulated",
            "ma_separate_meetings": "Yes",
            "barriers_overcome": "The Roma focus brought health, education, social services and the police together.",
        },
        "notes": {
            "barriers_overcome": "A 'hot' issue secures interest from a range of agencies.",
        },
    },
    "Rotterdam": {
        "interviewee": "Pieter de Vries, former LSG coordinator, Deelgemeente Charlois",
        "date": dt.date(2009, 11, 9),
        "answers": {
            "ulsg_functioning": "No",
            "lap_stage": "Discontinued",
            "local_impact": "No impact yet",
            "barriers": "Borough reorganisation; the core group became too large and changed.",
        },
        "notes": {
            "respondent.partner": "Interview with the former coordinator: the borough no longer has a MILE contact.",
            "barriers": "One of the two places where the small core group could not be kept.",
        },
    },
    "Sevilla": {
        "interviewee": "Carmen Ruiz Ortega, Ayuntamiento de Sevilla",
        "date": dt.date(2009, 11, 4),
        "answers": {
            "ulsg_functioning": "Yes, it continues and meets regularly",
            "ulsg_sustaining": (
                "The LSG was set up as a formal partnership agreement between the City, the Junta "
                "de Andalucía, the chambers of commerce, the unions and the migrant associations."
            ),
            "lap_stage": "Being implemented in full",
            "lap_actions_implemented": 2,
            "local_impact": "Good practice incorporated into local services; New ideas stimulated",
            "ma_separate_meetings": "No",
            "ma_in_lsg": "Yes",
        },
        "notes": {
            "local_impact": "Cultural mediation now part of the mainstream business support programme (business advisors trained).",
        },
    },
    "Timisoara": {
        "interviewee": "Andrei Popescu, Primăria Municipiului Timișoara",
        "date": dt.date(2009, 11, 10),
        "answers": {
            "ulsg_functioning": "Informally: members still meet in other local groupings",
            "lap_stage": "Being implemented in part",
            "lap_actions_implemented": 3,
            "local_impact": "Inter-agency collaboration supported or renewed; New ideas stimulated",
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "Yes",
        },
        "notes": {
            "ma_in_lsg": "City counts ADR Vest as an LSG member; ADR Vest says it attended as observer.",
        },
    },
    "Torino": {
        "interviewee": "Marco Ferrero, Città di Torino",
        "date": dt.date(2009, 11, 12),
        "answers": {
            "ulsg_functioning": "No",
            "lap_stage": "Adopted, implementation not yet started",
            "local_impact": "New ideas stimulated; Awareness-raising events",
            "ma_separate_meetings": "No",
        },
        "notes": {
            # The remark an analyst should read.
            "lap_stage": "Interviewee unsure whether the Giunta has formally adopted the LAP; recorded as in the questionnaire.",
        },
    },
    "Vantaa": {
        "interviewee": "Liisa Virtanen, City of Vantaa",
        "date": dt.date(2009, 11, 4),
        "answers": {
            "ulsg_functioning": "Yes, it continues and meets regularly",
            "ulsg_sustaining": (
                "Open-door policy: the LSG formed over time and changed composition during the "
                "project; politicians are kept informed."
            ),
            "lap_stage": "Being implemented in full",
            "lap_actions_implemented": 3,
            "local_impact": "New or adapted local policy framework; Inter-agency collaboration supported or renewed",
            "ma_separate_meetings": "No",
        },
        "notes": {
            "local_impact": "Multicultural strategy renewed; active inclusion measures built into a large ESF project.",
        },
    },
}

MA_INTERVIEWS: dict[str, dict[str, Any]] = {
    "Venice": {
        "interviewee": "Paolo Zanetti, Regione del Veneto",
        "date": dt.date(2009, 11, 11),
        "answers": {
            "ma_relation": "Separate meetings with the City were useful; contacts with other MAs through MILE were the added value.",
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "Yes",
            "ma_funding_indication": "Yes",
        },
        "notes": {"ma_relation": "Positive about the transnational programme for MAs."},
    },
    "Amadora": {
        "interviewee": "Rui Santos, CCDR Lisboa e Vale do Tejo",
        "date": dt.date(2009, 11, 13),
        "answers": {
            "ma_relation": "A new role for us: we manage programmes, we do not develop projects.",
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "Yes",
            "ma_funding_indication": "Yes",
        },
        "notes": {"ma_relation": "'Cultural' resistance at first, now interested."},
    },
    "Timisoara": {
        "interviewee": "Ioana Radu, ADR Vest",
        "date": dt.date(2009, 11, 12),
        "answers": {
            "ma_relation": "Two separate meetings with the city on the LAP; observer at one LSG meeting.",
            "ma_separate_meetings": "Yes",
            "ma_in_lsg": "No",
            "ma_funding_indication": "Yes",
        },
        "notes": {"ma_in_lsg": "Confirms it does not see itself as an LSG member."},
    },
}


# --------------------------------------------------------------------------- writing


def answer_rows(ws: Any) -> dict[str, int]:
    """Row of each ID in column A, below the header row (never fixed row numbers)."""
    header = None
    for row in range(1, contract.HEADER_SEARCH_ROWS + 1):
        if ws.cell(row=row, column=1).value == "ID":
            header = row
            break
    if header is None:
        raise SystemExit("no header row in the Responses sheet")
    rows: dict[str, int] = {}
    for row in range(header + 1, ws.max_row + 1):
        value = ws.cell(row=row, column=1).value
        if isinstance(value, str) and value.strip():
            rows[value.strip()] = row
    return rows


def column(ws: Any, key: str) -> int:
    """The header column for `key` (`answer`, `notes`), in whatever language the workbook is."""
    words = header_words()
    for row in ws.iter_rows(min_row=1, max_row=contract.HEADER_SEARCH_ROWS):
        for cell in row:
            if isinstance(cell.value, str) and words.get(cell.value.strip().lower()) == key:
                return int(cell.column)
    raise SystemExit(f"no {key!r} column")


def fill(ws: Any, values: dict[str, Any], notes: dict[str, str]) -> None:
    rows = answer_rows(ws)
    answer_col, notes_col = column(ws, "answer"), column(ws, "notes")
    for qid, value in values.items():
        if qid not in rows:
            raise SystemExit(f"no row {qid!r} in the workbook")
        cell = put(ws, rows[qid], answer_col, value)
        if isinstance(value, dt.date):
            cell.number_format = "DD/MM/YYYY"
    for qid, note in notes.items():
        put(ws, rows[qid], notes_col, note)


def insert_partner_rows(ws: Any, after_id: str, comment: str) -> None:
    """What a partner does in Excel: insert a blank row and a comment row.

    Excel moves the dropdowns with their cells; openpyxl does not, so move them too.
    """
    at = answer_rows(ws)[after_id] + 1
    ws.insert_rows(at, amount=2)
    put(ws, at + 1, 2, comment)
    for dv in ws.data_validations.dataValidation:
        moved = []
        for rng in dv.sqref.ranges:
            rng = CellRange(rng.coord)
            if rng.min_row >= at:
                rng.shift(row_shift=2)
            moved.append(rng.coord)
        dv.sqref = MultiCellRange(" ".join(moved))


def workbook(q: Any, partner: str, role: Role, lang: str, interview: bool) -> tuple[Any, Any]:
    wb = build_workbook(q, WorkbookSpec(partner, role, lang, interview))
    return wb, wb.worksheets[0]  # the answers sheet, named in the workbook's language


def convert(path: Path, fmt: str) -> Path:
    """Save `path` as .ods or .xls with LibreOffice and remove the .xlsx."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print(f"  LibreOffice not found: {path.name} stays .xlsx", file=sys.stderr)
        return path
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                soffice,
                "-env:UserInstallation=file:///tmp/lo-mile",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                tmp,
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        made = Path(tmp) / f"{path.stem}.{fmt}"
        if not made.is_file():
            raise SystemExit(f"LibreOffice did not write {made.name}")
        target = path.with_suffix(f".{fmt}")
        shutil.move(made, target)
    path.unlink()
    return target


def main() -> None:
    q = load_questionnaire(QUESTIONNAIRE)
    if RETURNS.exists():
        shutil.rmtree(RETURNS)
    INTERVIEWS.mkdir(parents=True)
    written: list[Path] = []

    for partner, data in CITIES.items():
        wb, ws = workbook(q, partner, Role.CITY, data["lang"], interview=False)
        if "insert_rows_after" in data:
            insert_partner_rows(ws, data["insert_rows_after"], data["inserted_comment"])
        fill(ws, data["respondent"] | data["answers"], data["notes"])
        path = RETURNS / f"{data['file']}-city.xlsx"
        wb.save(path)
        if "convert" in data:
            path = convert(path, data["convert"])
        written.append(path)

    for partner, data in MANAGING_AUTHORITIES.items():
        wb, ws = workbook(q, partner, Role.MANAGING_AUTHORITY, "en", interview=False)
        fill(ws, data["respondent"] | data["answers"], data["notes"])
        path = RETURNS / f"{data['file']}-managing_authority.xlsx"
        wb.save(path)
        written.append(path)

    for role, interviews, sources in (
        (Role.CITY, CITY_INTERVIEWS, CITIES),
        (Role.MANAGING_AUTHORITY, MA_INTERVIEWS, MANAGING_AUTHORITIES),
    ):
        for partner, data in interviews.items():
            source = sources[partner]
            wb, ws = workbook(q, partner, role, "en", interview=True)
            # an interview record has one block: who was interviewed, by whom, when
            respondent = {
                k: v
                for k, v in source["respondent"].items()
                if k not in ("respondent.name", "respondent.email", "respondent.date")
            }
            record = {
                "interview.interviewee": data["interviewee"],
                "interview.interviewer": EXPERT,
                "interview.date": data["date"],
            }
            fill(ws, respondent | record | data["answers"], data["notes"])
            suffix = "" if role is Role.CITY else "-managing_authority"
            path = INTERVIEWS / f"{source['file']}{suffix}-interview.xlsx"
            wb.save(path)
            written.append(path)

    for path in written:
        print(path.relative_to(HERE.parent.parent))
    print(f"{len(written)} workbooks in {RETURNS.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
