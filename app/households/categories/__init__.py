"""Categories (监测类别): the one vocabulary, dynamic management (enrol, change, exit) and the
enrolment an approved application asks for."""
