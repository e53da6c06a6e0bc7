"""Django's database sessions, read with SQL built once per process (portal/prepared.py).

The expiry is compared here rather than in the SQL: a prepared read takes integers and
strings only. An expired row is treated as Django treats it, as no session at all.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.prepared import Prepared

session_read = Prepared(lambda *, key: Session.objects.filter(session_key=key), key=str)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        found = session_read.first(key=self.session_key) if self.session_key else None
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None
            return None
        return found
