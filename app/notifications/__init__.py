"""Notifications: the outbox (messages written in the transaction of their cause), WeChat
subscribe messages to residents, the staff inbox, and WeChat's content checks of public texts.
Flows in intake, visits and monitoring call ``app.notifications.service`` explicitly."""
