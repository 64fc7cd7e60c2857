"""The bureau's figures: statistics over the registry, applications, warnings, visits and the
ledger, scoped to the jurisdiction, as JSON and as monthly-report workbooks."""
