"""Flask extensions, created here unbound and bound to the app in ``create_app``."""
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from crm.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
cache = Cache(with_jinja2_ext=False)  # the reports' figures and files (crm.reports.cache)
# No default limits: the sign-in, second-step and reset routes declare theirs. The deployment's
# prefix (RATELIMIT_KEY_PREFIX) is given to the storage, see crm/ratelimit.py; this constant one also
# keeps Flask-Limiter from reading RATELIMIT_KEY_PREFIX itself, once for every app of the process.
limiter = Limiter(key_func=get_remote_address, key_prefix="virage")
