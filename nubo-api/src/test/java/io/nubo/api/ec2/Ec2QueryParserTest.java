package io.nubo.api.ec2;

import io.nubo.api.ec2.query.FormDecoder;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.NuboException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Query protocol's parameters, as the SDKs and the CLI write them. */
class Ec2QueryParserTest {
    static Params params(String form) {
        return Params.of(FormDecoder.pairs(form.getBytes(StandardCharsets.UTF_8)));
    }

    static void fails(Runnable r, String code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(NuboException.class,
                e -> assertThat(e.errorCode().code()).as(e.getMessage()).isEqualTo(code));
    }

    @Test
    void formEncodingIsDecodedAsUtf8WithPlusAsSpace() {
        assertThat(FormDecoder.pairs("a=1&b=x+y&c=%E1%88%B4&d&e=&&f=%2B%26%3D")).containsExactly(Map.entry("a", "1"), Map.entry("b", "x y"),
                Map.entry("c", "\u1234"), Map.entry("d", ""), Map.entry("e", ""), Map.entry("f", "+&="));
        assertThat(FormDecoder.pairs("k=\u00e1\u0088\u00b4")).containsExactly(Map.entry("k", "\u1234"));
        assertThat(FormDecoder.pairs("")).isEmpty();
    }

    @Test
    void brokenEscapesAndInvalidUtf8AreInvalidRequests() {
        fails(() -> FormDecoder.pairs("a=%"), "InvalidRequest");
        fails(() -> FormDecoder.pairs("a=%4"), "InvalidRequest");
        fails(() -> FormDecoder.pairs("a=%zz"), "InvalidRequest");
        fails(() -> FormDecoder.pairs("a=%C3%28"), "InvalidRequest");
        fails(() -> FormDecoder.pairs("a=%ED%A0%80"), "InvalidRequest");
    }

    @Test
    void listsAreNumberedFromOneAndReadInIndexOrder() {
        Params p = params("InstanceId.2=i-b&InstanceId.1=i-a&InstanceId.10=i-c");
        assertThat(p.strings("InstanceId")).containsExactly("i-a", "i-b", "i-c");
        p.requireAllRead();
    }

    @Test
    void anEmptyListMaySendItsNameWithNoValue() {
        Params p = params("InstanceId=");
        assertThat(p.strings("InstanceId")).isEmpty();
        p.requireAllRead();
    }

    @Test
    void structuresNestListsAsEc2SerializersWriteThem() {
        Params p = params("Filter.1.Name=tag%3AName&Filter.1.Value.1=web&Filter.1.Value.2=db&Filter.2.Name=instance-state-name"
                + "&Filter.2.Value.1=running&Placement.AvailabilityZone=nubo-1a");
        List<Params> filters = p.structs("Filter");
        assertThat(filters).hasSize(2);
        assertThat(filters.get(0).required("Name")).isEqualTo("tag:Name");
        assertThat(filters.get(0).strings("Value")).containsExactly("web", "db");
        assertThat(filters.get(1).required("Name")).isEqualTo("instance-state-name");
        assertThat(filters.get(1).strings("Value")).containsExactly("running");
        assertThat(filters.get(1).fullName("Value.1")).isEqualTo("Filter.2.Value.1");
        assertThat(p.struct("Placement").orElseThrow().required("AvailabilityZone")).isEqualTo("nubo-1a");
        p.requireAllRead();
    }

    @Test
    void whatNobodyReadIsAnUnknownParameter() {
        Params p = params("ImageId=ami-1&Colour=red");
        p.required("ImageId");
        fails(p::requireAllRead, "UnknownParameter");
        Params zero = params("InstanceId.0=i-a&InstanceId.01=i-b&InstanceId.x=i-c");
        assertThat(zero.strings("InstanceId")).isEmpty();
        assertThat(zero.unread()).containsExactly("InstanceId.0", "InstanceId.01", "InstanceId.x");
    }

    @Test
    void typedReadsRejectBadValuesPrecisely() {
        fails(() -> params("MaxCount=lots").integer("MaxCount"), "InvalidParameterValue");
        fails(() -> params("MaxCount=99999999999").integer("MaxCount"), "InvalidParameterValue");
        fails(() -> params("DryRun=yes").bool("DryRun"), "InvalidParameterValue");
        assertThat(params("DryRun=TRUE").bool("DryRun")).contains(true);
        fails(() -> params("ImageId=").required("ImageId"), "MissingParameter");
        fails(() -> params("").required("ImageId"), "MissingParameter");
        fails(() -> params("a=1&a=2"), "InvalidParameterValue");
    }

    @Test
    void listsAreCapped() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= Params.MAX_LIST + 1; i++) {
            b.append("InstanceId.").append(i).append("=i-").append(i).append('&');
        }
        fails(() -> params(b.toString()).strings("InstanceId"), "InvalidParameterValue");
    }
}
