"""Public verification of approval letters: /verify/ (form), /verify/<number>?code= (what the QR
opens) and its JSON twin /verify/<number>.json?code=. No sign-in; rate-limited per address.

A wrong code and an unknown number get the same answer, byte for byte apart
from echoing what was typed.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug import Response

from approvals.extensions import limiter
from approvals.verification import MAX_CODE_LENGTH, check, normalise_number
from approvals.verify.forms import LookupForm

bp = Blueprint("verify", __name__, url_prefix="/verify")

# One budget for the form and both answers, so switching between them gains nothing.
_rate_limit = limiter.shared_limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], scope="verify")


@bp.after_request
def _headers(response: Response) -> Response:
    # A revocation must show at once; a code in a URL should not linger in caches or search engines.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/")
@_rate_limit
def lookup() -> Response | str:
    form = LookupForm(request.args)
    if request.args and form.validate():
        return redirect(url_for(".letter", number=normalise_number(form.number.data),
                                code=form.code.data.strip().upper()))
    return render_template("verify/lookup.html", form=form, submitted=bool(request.args))


@bp.route("/<number>")
@_rate_limit
def letter(number: str) -> str:
    code = request.args.get("code", "")[:MAX_CODE_LENGTH]
    verdict = check(number, code)
    form = LookupForm(formdata=None, number=normalise_number(number), code=code.strip().upper())
    return render_template("verify/result.html", verdict=verdict, form=form)


@bp.route("/<number>.json")
@_rate_limit
def letter_json(number: str) -> Response:
    verdict = check(number, request.args.get("code", ""))
    return jsonify(verdict.to_json() if verdict is not None else {"verified": False})
