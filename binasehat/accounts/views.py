from django.contrib import messages
from django.contrib.auth import update_session_auth_hash, views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_record
from binasehat.core.scope import own_records, public


@method_decorator(public, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


LoginView.binasehat_scope = "public"


class LogoutView(auth_views.LogoutView):
    pass


LogoutView.binasehat_scope = "public"


@own_records
def profile(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        audit_record(actor=user, action="update", obj=user, before=None, after={"password": "diganti"},
                     source="web")
        messages.success(request, _("Kata sandi sudah diganti."))
        return redirect("accounts:profile")
    scope = request.scope
    return render(request, "accounts/profile.html", {
        "form": form, "scope": scope,
        "areas": request.user.areas.all(), "posyandu_list": request.user.posyandu.all(),
        "puskesmas_list": request.user.puskesmas.all(),
    })
