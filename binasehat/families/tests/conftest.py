import random

import pytest


@pytest.fixture(scope="session")
def families_demo(django_db_setup, django_db_blocker):
    """The demo district's families (built once per test database, as the demo hook will build them)."""
    from binasehat.families.demo import build_families
    from binasehat.families.models import Family

    with django_db_blocker.unblock():
        if not Family.objects.exists():
            build_families(random.Random(1903))
    return True
