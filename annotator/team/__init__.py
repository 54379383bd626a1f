"""The team of a project: who is on it and acting (members), their logins and group roles on
PostgreSQL (server_roles), the lead's view of everyone's work (progress), and others' progress
while a window is open (live_progress)."""
