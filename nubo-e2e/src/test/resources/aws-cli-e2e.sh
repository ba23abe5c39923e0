#!/usr/bin/env bash
# The AWS CLI v2 (Debian's awscli, /usr/bin/aws) against a running Nubo with real QEMU, as a
# tenant would use it. usage: aws-cli-e2e.sh <endpoint> <data-dir> <work-dir>
# Credentials come from the profile file that `nubo up` wrote. Prints "AWS CLI E2E PASSED".
set -euo pipefail
EP=$1; DATA=$2; WORK=$3
export AWS_SHARED_CREDENTIALS_FILE=$DATA/credentials AWS_CONFIG_FILE=$DATA/config AWS_PROFILE=nubo AWS_PAGER=""
aws() { /usr/bin/aws --endpoint-url "$EP" --region nubo-1 "$@"; }
step() { echo "== $*"; }
fail() { echo "FAILED: $*"; exit 1; }
# Runs a command that must fail with the EC2 error code $1.
expect_error() {
    local code=$1; shift
    local out
    if out=$("$@" 2>&1); then fail "expected $code from: $*"; fi
    grep -q "($code)" <<<"$out" || fail "expected $code, got: $out"
    echo "   got $code as expected"
}
wait_for() { # wait_for <seconds> <command...>: polls until the command succeeds
    local limit=$1; shift
    local end=$((SECONDS + limit))
    until "$@"; do [ $SECONDS -lt $end ] || fail "timed out: $*"; sleep 2; done
}

step "create-key-pair"
aws ec2 create-key-pair --key-name cli-e2e --key-type ed25519 --query KeyMaterial --output text > "$WORK/cli-e2e.pem"
chmod 600 "$WORK/cli-e2e.pem"
grep -q "BEGIN OPENSSH PRIVATE KEY" "$WORK/cli-e2e.pem" || fail "no private key"

step "run-instances with tags, user data and a 3 GiB root disk"
IMAGE=$(aws ec2 describe-images --filters Name=name,Values=nubo-default --query 'Images[0].ImageId' --output text)
printf '#!/bin/sh\necho from-user-data > /root/ud\n' > "$WORK/user-data.sh"
ID=$(aws ec2 run-instances --image-id "$IMAGE" --instance-type e2e.tiny --key-name cli-e2e \
    --user-data "file://$WORK/user-data.sh" --block-device-mappings 'DeviceName=/dev/vda,Ebs={VolumeSize=3,VolumeType=gp3}' \
    --tag-specifications 'ResourceType=instance,Tags=[{Key=role,Value=cli-e2e},{Key=Name,Value=cli-vm}]' \
    --query 'Instances[0].InstanceId' --output text)
echo "   $ID"

step "wait instance-running"
aws ec2 wait instance-running --instance-ids "$ID"

step "describe with a tag filter and --query"
[ "$(aws ec2 describe-instances --filters Name=tag:role,Values=cli-e2e Name=instance-state-name,Values=running \
    --query 'Reservations[].Instances[].InstanceId' --output text)" = "$ID" ] || fail "tag filter did not find $ID"
[ "$(aws ec2 describe-instances --instance-ids "$ID" --query 'Reservations[0].Instances[0].Tags[?Key==`Name`].Value | [0]' --output text)" = cli-vm ] \
    || fail "Name tag not shown"

step "get-console-output shows the guest's marker"
console_ready() { aws ec2 get-console-output --instance-id "$ID" --query Output --output text | grep -q "NUBO-GUEST-READY $ID"; }
wait_for 180 console_ready

step "ssh into the VM with the key"
KEY_ID=$(awk -F' = ' '/aws_access_key_id/ {print $2}' "$DATA/credentials")
SECRET=$(awk -F' = ' '/aws_secret_access_key/ {print $2}' "$DATA/credentials")
PORT=$(curl -sf -H "Authorization: Bearer $KEY_ID:$SECRET" "$EP/api/v1/instances/$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ssh"]["port"])')
SSH=(ssh -i "$WORK/cli-e2e.pem" -p "$PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR root@127.0.0.1)
[ "$("${SSH[@]}" cat /root/ud)" = from-user-data ] || fail "user data did not run"

step "the guest's root disk is the 3 GiB the launch asked for (the image is 2 GiB)"
ROOT_KIB=$("${SSH[@]}" cat /proc/partitions | awk '$4 == "vda" {print $3}')
[ "$ROOT_KIB" = 3145728 ] || fail "the root disk is ${ROOT_KIB} KiB, not 3 GiB: $("${SSH[@]}" cat /proc/partitions)"

step "the guest has the private address describe-instances shows"
PRIVATE_IP=$(aws ec2 describe-instances --instance-ids "$ID" --query 'Reservations[0].Instances[0].PrivateIpAddress' --output text)
case "$PRIVATE_IP" in 172.31.*) ;; *) fail "no private address in the default subnet: $PRIVATE_IP" ;; esac
"${SSH[@]}" ip -4 -o addr show | grep -q " inet $PRIVATE_IP/20 " || fail "the guest does not have $PRIVATE_IP/20: $("${SSH[@]}" ip -4 -o addr show)"

step "stop, wait"
aws ec2 stop-instances --instance-ids "$ID" --query 'StoppingInstances[0].CurrentState.Name' --output text
aws ec2 wait instance-stopped --instance-ids "$ID"

step "resize with modify-instance-attribute"
aws ec2 modify-instance-attribute --instance-id "$ID" --instance-type Value=e2e.small
[ "$(aws ec2 describe-instance-attribute --instance-id "$ID" --attribute instanceType --query InstanceType.Value --output text)" = e2e.small ] \
    || fail "resize not shown"

step "start, wait"
aws ec2 start-instances --instance-ids "$ID" --query 'StartingInstances[0].CurrentState.Name' --output text
aws ec2 wait instance-running --instance-ids "$ID"
[ "$(aws ec2 describe-instances --instance-ids "$ID" --query 'Reservations[0].Instances[0].InstanceType' --output text)" = e2e.small ] \
    || fail "type after resize"

step "the failure cases"
expect_error AuthFailure env -u AWS_PROFILE -u AWS_SHARED_CREDENTIALS_FILE AWS_ACCESS_KEY_ID="$KEY_ID" \
    AWS_SECRET_ACCESS_KEY=wrong-secret-wrong-secret-wrong-secret-00 /usr/bin/aws --endpoint-url "$EP" --region nubo-1 ec2 describe-instances
expect_error DryRunOperation aws ec2 reboot-instances --instance-ids "$ID" --dry-run
expect_error InvalidInstanceID.NotFound aws ec2 describe-instances --instance-ids i-0123456789abcdef0
expect_error InvalidInstanceID.Malformed aws ec2 describe-instances --instance-ids i-nothex
expect_error InvalidParameterValue aws ec2 run-instances --image-id "$IMAGE" --instance-type no.such.type --count 1
expect_error InvalidBlockDeviceMapping aws ec2 run-instances --image-id "$IMAGE" --count 1 \
    --block-device-mappings 'DeviceName=/dev/vda,Ebs={VolumeSize=1}'
expect_error UnsupportedOperation aws ec2 run-instances --image-id "$IMAGE" --count 1 \
    --block-device-mappings 'DeviceName=/dev/sdf,Ebs={VolumeSize=4}'

step "terminate, wait"
aws ec2 terminate-instances --instance-ids "$ID" --query 'TerminatingInstances[0].CurrentState.Name' --output text
aws ec2 wait instance-terminated --instance-ids "$ID"
aws ec2 delete-key-pair --key-name cli-e2e
echo "AWS CLI E2E PASSED"
