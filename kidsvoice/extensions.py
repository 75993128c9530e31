"""Flask extensions, created here and bound to the app in :func:`kidsvoice.create_app`."""

from flask_babel import Babel
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

babel = Babel()
compress = Compress()
csrf = CSRFProtect()
htmx = HTMX()
#: Rate limits count failures only (a whole class of tablets shares one school address);
#: storage is in memory for one process, or Redis when several workers share the limits.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)
login_manager = LoginManager()
