"""The secretariat's loop with the partners: who has answered (`ledger`), fix requests
and reminders (`feedback`). The words partners read are in templates/workbook.yaml and
the per-language issue texts of `urbsurvey.issues`."""
