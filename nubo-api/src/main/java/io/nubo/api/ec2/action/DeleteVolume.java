package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;

/** DeleteVolume: only a volume nothing has attached ({@code VolumeInUse} otherwise); its file goes, its space is freed. */
public record DeleteVolume(String volumeId) implements Ec2Command {
    public static DeleteVolume parse(Params p) {
        return new DeleteVolume(p.required("VolumeId"));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        c.services().volumes().delete(c.caller(), volumeId);
        return Ec2Reply.TRUE;
    }
}
