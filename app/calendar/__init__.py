"""The working-day calendar (holidays and make-up working days per year) and the statutory
clock that counts deadlines over it (:mod:`app.calendar.clock`)."""
