"""Staff, residents, agencies, WeChat login, tokens and scopes."""
