from django.conf import settings

from .models import Flag


def site(request):
    """Site-wide facts every page shows: whether this is demo data, and the user's scope."""
    if not hasattr(request, "_binasehat_demo"):
        request._binasehat_demo = Flag.objects.filter(name="demo").values_list("value", flat=True).first()
    return {
        "demo": request._binasehat_demo,
        "scope": getattr(request, "scope", None),
        "debug": settings.DEBUG,
    }
