#!/usr/bin/env bash
# The AWS CLI v2 (Debian's awscli, /usr/bin/aws) drives Nubo's volume actions, as a tenant would,
# with the CLI's own waiters. usage: aws-cli-volumes.sh <endpoint> <data-dir>
# Credentials come from the profile file that `nubo up` wrote. Prints "AWS CLI VOLUMES PASSED".
set -euo pipefail
EP=$1; DATA=$2
export AWS_SHARED_CREDENTIALS_FILE=$DATA/credentials AWS_CONFIG_FILE=$DATA/config AWS_PROFILE=nubo AWS_PAGER=""
aws() { /usr/bin/aws --endpoint-url "$EP" --region nubo-1 "$@"; }
step() { echo "== $*"; }
fail() { echo "FAILED: $*"; exit 1; }
expect_error() { # runs a command that must fail with the EC2 error code $1
    local code=$1; shift
    local out
    if out=$("$@" 2>&1); then fail "expected $code from: $*"; fi
    grep -q "($code)" <<<"$out" || fail "expected $code, got: $out"
    echo "   got $code as expected"
}
wait_for() { # wait_for <seconds> <command...>: polls until the command succeeds
    local limit=$1; shift
    local end=$((SECONDS + limit))
    until "$@"; do [ $SECONDS -lt $end ] || fail "timed out: $*"; sleep 0.5; done
}

step "run-instances"
IMAGE=$(aws ec2 describe-images --filters Name=name,Values=nubo-default --query 'Images[0].ImageId' --output text)
ID=$(aws ec2 run-instances --image-id "$IMAGE" --instance-type t3.nano --query 'Instances[0].InstanceId' --output text)
aws ec2 wait instance-running --instance-ids "$ID"

step "the instance's root disk is a volume"
ROOT=$(aws ec2 describe-instances --instance-ids "$ID" \
    --query 'Reservations[0].Instances[0].BlockDeviceMappings[?DeviceName==`/dev/vda`].Ebs.VolumeId' --output text)
[[ $ROOT == vol-* ]] || fail "no root volume in the block device mapping: $ROOT"
echo "   $ROOT"
[ "$(aws ec2 describe-volumes --volume-ids "$ROOT" \
    --query 'Volumes[0].[State,VolumeType,Attachments[0].Device,Attachments[0].State,Attachments[0].DeleteOnTermination]' --output text)" \
    = "$(printf 'in-use\tgp3\t/dev/vda\tattached\tTrue')" ] || fail "the root volume is not described as attached at /dev/vda"
expect_error IncorrectState aws ec2 detach-volume --volume-id "$ROOT"
expect_error VolumeInUse aws ec2 delete-volume --volume-id "$ROOT"

step "create-volume with tags, wait volume-available"
VOL=$(aws ec2 create-volume --availability-zone nubo-1a --size 1 \
    --tag-specifications 'ResourceType=volume,Tags=[{Key=Name,Value=cli-vol}]' --query VolumeId --output text)
echo "   $VOL"
aws ec2 wait volume-available --volume-ids "$VOL"
[ "$(aws ec2 describe-volumes --filters Name=tag:Name,Values=cli-vol --query 'Volumes[0].VolumeType' --output text)" = gp3 ] \
    || fail "the new volume is not a gp3 found by its tag"

step "refusals"
expect_error InvalidParameterCombination aws ec2 create-volume --availability-zone nubo-1a --size 1 --multi-attach-enabled
expect_error InvalidParameterValue aws ec2 create-volume --availability-zone nubo-1a --size 0
expect_error UnknownVolumeType aws ec2 create-volume --availability-zone nubo-1a --size 1 --volume-type gp9
expect_error DryRunOperation aws ec2 attach-volume --volume-id "$VOL" --instance-id "$ID" --device /dev/sdf --dry-run
expect_error InvalidVolume.NotFound aws ec2 attach-volume --volume-id vol-0123456789abcdef0 --instance-id "$ID" --device /dev/sdf

step "a multi-attach io2 volume"
MULTI=$(aws ec2 create-volume --availability-zone nubo-1a --size 4 --volume-type io2 --iops 1000 --multi-attach-enabled \
    --query VolumeId --output text)
aws ec2 wait volume-available --volume-ids "$MULTI"
[ "$(aws ec2 describe-volumes --volume-ids "$MULTI" --query 'Volumes[0].MultiAttachEnabled' --output text)" = True ] \
    || fail "multi-attach not shown"

step "attach-volume, wait volume-in-use and attached"
aws ec2 attach-volume --volume-id "$VOL" --instance-id "$ID" --device /dev/sdf --query State --output text
aws ec2 wait volume-in-use --volume-ids "$VOL"
attached() { [ "$(aws ec2 describe-volumes --volume-ids "$VOL" --query 'Volumes[0].Attachments[0].State' --output text)" = attached ]; }
wait_for 60 attached
[ "$(aws ec2 describe-volumes --filters Name=attachment.instance-id,Values="$ID" Name=attachment.device,Values=/dev/sdf \
    --query 'Volumes[].VolumeId' --output text)" = "$VOL" ] || fail "attachment.instance-id and attachment.device filters"
[ "$(aws ec2 describe-instances --instance-ids "$ID" --query 'Reservations[0].Instances[0].BlockDeviceMappings[].DeviceName' --output text)" \
    = "$(printf '/dev/vda\t/dev/sdf')" ] || fail "the block device mapping does not list the root and the data volume"
expect_error VolumeInUse aws ec2 delete-volume --volume-id "$VOL"

step "modify-volume grows it online"
aws ec2 modify-volume --volume-id "$VOL" --size 2 --query VolumeModification.ModificationState --output text
grown() { [ "$(aws ec2 describe-volumes-modifications --volume-ids "$VOL" --query 'VolumesModifications[0].ModificationState' --output text)" = completed ]; }
wait_for 60 grown
expect_error InvalidParameterValue aws ec2 modify-volume --volume-id "$VOL" --size 1

step "detach-volume, wait volume-available; delete-volume, wait volume-deleted"
aws ec2 detach-volume --volume-id "$VOL" --query State --output text
aws ec2 wait volume-available --volume-ids "$VOL"
aws ec2 delete-volume --volume-id "$VOL"
aws ec2 delete-volume --volume-id "$MULTI"
aws ec2 wait volume-deleted --volume-ids "$VOL" "$MULTI"
expect_error InvalidVolume.NotFound aws ec2 describe-volumes --volume-ids "$VOL"

aws ec2 terminate-instances --instance-ids "$ID" --query 'TerminatingInstances[0].CurrentState.Name' --output text
aws ec2 wait instance-terminated --instance-ids "$ID"
step "the root volume went with its instance"
gone() { aws ec2 describe-volumes --volume-ids "$ROOT" >/dev/null 2>&1 && return 1 || return 0; }
wait_for 60 gone
expect_error InvalidVolume.NotFound aws ec2 describe-volumes --volume-ids "$ROOT"
echo "AWS CLI VOLUMES PASSED"
