"""Loading the logged-in user with what every request needs of it in one query."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce


class JoinedCodes(Aggregate):
    """The values of a text column joined with commas (SQLite's ``group_concat``, PostgreSQL's ``string_agg``)."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s, ',')",
                           **extra)


def with_area_codes(queryset, user_field: str = "pk"):
    """``queryset`` of users (or of rows pointing at a user through ``user_field``) annotated with
    ``_area_codes``: the codes of the user's areas joined with commas ("" without any), read in the same query
    as the user instead of one more query per request (``User.scope``). Region codes hold digits and dots only."""
    from .models import User

    through = User.areas.through
    codes = (through.objects.filter(user_id=OuterRef(user_field)).order_by().values("user_id")
             .annotate(codes=JoinedCodes("region_id")).values("codes"))
    return queryset.annotate(_area_codes=Coalesce(Subquery(codes), Value(""), output_field=TextField()))


class AreaModelBackend(ModelBackend):
    """Django's ``ModelBackend`` whose ``get_user`` (run on every request of a logged-in user) also reads the
    user's area codes."""

    def get_user(self, user_id):
        from .models import User

        user = with_area_codes(User._default_manager.all()).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
