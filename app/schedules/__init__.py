"""Visit schedules (走访计划): the due-date rule and keeping each household's materialised
``visit_schedules.next_due_on`` in step with it.

A layer below the registry so that every change that moves a due date can recompute it where it
happens: the registry (a household registered, its risk level or region changed, a category
decided, which covers an approval's enrolment), the visits domain (a policy change, a visit, a
confirmed warning's pull-forward, an assignment) and the nightly job (entries taking effect)."""
