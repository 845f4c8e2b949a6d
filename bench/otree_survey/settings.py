# The benchmark's survey as an oTree app: the same pages as the persuasion survey app
# (consent, then 3 x before / argument / after with 2 attention checks between, debrief).
# Used only by bench/bench_survey.py, in a separate virtualenv; not part of the package.
from os import environ

SESSION_CONFIGS = [
    dict(name="persuasion", app_sequence=["persuasion"], num_demo_participants=1),
]
SESSION_CONFIG_DEFAULTS = dict(real_world_currency_per_point=1.00, participation_fee=0.00, doc="")
PARTICIPANT_FIELDS = []
SESSION_FIELDS = []
LANGUAGE_CODE = "en"
REAL_WORLD_CURRENCY_CODE = "USD"
USE_POINTS = True
ROOMS = []
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = environ.get("OTREE_ADMIN_PASSWORD", "bench")
DEMO_PAGE_INTRO_HTML = ""
SECRET_KEY = "benchmark-only-not-secret"
INSTALLED_APPS = ["otree"]
