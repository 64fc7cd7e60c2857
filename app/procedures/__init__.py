"""Statutory procedures (法定程序) on applications: dibao (最低生活保障审核确认办法, 2021), tekun
(特困人员认定办法, 2021), rigid-spending hardship and temporary aid, each an ordered list of
steps with their clocks over the working-day calendar (:mod:`app.procedures.spec`); the
documents they produce; re-checks and stops; supervision of overdue steps.

A flow module: it sits above intake (a decision approves or denies the application through
intake's flow) and calls the registry, the calendar and the schedules below it."""
