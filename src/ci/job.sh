#!/bin/sh
# stackgen's CI job: one student's stack, one Terraform action. Written by
# `stackgen render` with the class's pipeline (render writes it again: do
# not edit it here). The job's log shows the student, then Terraform's
# output. STACK_DIR is the student's directory (from the class's
# manifest), ACTION is plan, apply or destroy.
set -eu
: "${STACK_DIR:?}" "${ACTION:?}"
echo "stackgen: student ${STACK_DIR}, terraform ${ACTION}"
case "$ACTION" in
  plan | apply | destroy) ;;
  *)
    echo "stackgen: ACTION must be plan, apply or destroy, not '${ACTION}'" >&2
    exit 2
    ;;
esac
# GitLab: the job's OIDC token, for the AWS SDK inside Terraform to assume
# the role with (GitHub's configure-aws-credentials step does this there).
if [ -n "${AWS_ID_TOKEN:-}" ] && [ -n "${STACKGEN_ROLE_ARN:-}" ]; then
  token_file="$(mktemp)"
  printf '%s' "$AWS_ID_TOKEN" > "$token_file"
  export AWS_WEB_IDENTITY_TOKEN_FILE="$token_file"
  export AWS_ROLE_ARN="$STACKGEN_ROLE_ARN"
  export AWS_ROLE_SESSION_NAME="stackgen-${STACK_DIR}"
fi
cd "$STACK_DIR"
if grep -qs 'backend "http"' provider.tf; then
  # GitLab-managed state, named after the student's directory.
  address="${CI_API_V4_URL}/projects/${CI_PROJECT_ID}/terraform/state/${STACK_DIR}"
  terraform init -input=false \
    -backend-config="address=${address}" \
    -backend-config="lock_address=${address}/lock" \
    -backend-config="unlock_address=${address}/lock" \
    -backend-config="username=gitlab-ci-token" \
    -backend-config="password=${CI_JOB_TOKEN}" \
    -backend-config="lock_method=POST" \
    -backend-config="unlock_method=DELETE"
else
  terraform init -input=false
fi
case "$ACTION" in
  plan) terraform plan -input=false ;;
  apply) terraform apply -input=false -auto-approve ;;
  destroy) terraform destroy -input=false -auto-approve ;;
esac
