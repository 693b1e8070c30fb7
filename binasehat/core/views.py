from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language as django_set_language

from .scope import public


@public
@never_cache
def health(request):
    """For load balancers and monitoring: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@public
def set_language(request):
    return django_set_language(request)
