package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.tags.TagService;

import java.util.List;

/**
 * DeleteTags: by key, or by key and value (an empty value deletes only a tag whose value is
 * empty); with no {@code Tag} at all, every tag of the resources.
 */
public record DeleteTags(List<String> resourceIds, List<TagService.Removal> tags) implements Ec2Command {
    public static DeleteTags parse(Params p) {
        return new DeleteTags(p.strings("ResourceId"), Inputs.removals(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        c.services().tags().delete(c.caller(), resourceIds, tags);
        return Ec2Reply.TRUE;
    }
}
