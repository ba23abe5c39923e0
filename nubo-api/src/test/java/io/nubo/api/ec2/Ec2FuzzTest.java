package io.nubo.api.ec2;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nubo.api.ec2.query.FormDecoder;
import io.nubo.api.ec2.query.Params;
import io.nubo.api.ec2.sigv4.SigV4Verifier;
import io.nubo.api.ec2.sigv4.SignedRequest;
import io.nubo.core.NuboException;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the two parts of the EC2 endpoint that read untrusted bytes before anything is
 * authenticated or looked up: the Query parser (with every action's command parser behind it) and
 * the SigV4 verifier. Bad input may only end in a {@link NuboException} with a 4xx status; any other
 * exception, or a 5xx, is a finding. In a plain {@code mvn test} this replays the inputs under
 * {@code src/test/resources/io/nubo/api/ec2/Ec2FuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class Ec2FuzzTest {
    private static final List<String> ACTIONS = new ArrayList<>(Ec2Actions.names());
    private static final Set<String> VERIFIER_CODES = Set.of("AuthFailure", "RequestExpired", "InvalidRequest");

    /** Input: an action name on the first line, then a form body. */
    @FuzzTest
    void queryParserAndCommandParsers(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        int newline = text.indexOf('\n');
        String action = newline < 0 ? "" : text.substring(0, newline);
        String body = newline < 0 ? text : text.substring(newline + 1);
        var parser = Ec2Actions.parser(action)
                .orElse(Ec2Actions.parser(ACTIONS.get(Math.floorMod(action.hashCode(), ACTIONS.size()))).orElseThrow());
        try {
            Params params = Params.of(FormDecoder.pairs(body.getBytes(StandardCharsets.ISO_8859_1)));
            params.bool("DryRun");
            parser.apply(params);
            params.requireAllRead();
        } catch (NuboException e) {
            assertThat(e.errorCode().httpStatus()).as(e.getMessage()).isBetween(400, 499);
        }
    }

    /** Input: a request as in {@code src/test/resources/sigv4}: request line, headers, a blank line, the body. */
    @FuzzTest
    void sigV4Verifier(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        String[] headAndBody = text.split("\n\n", 2);
        String[] lines = headAndBody[0].split("\n");
        String[] requestLine = (lines.length == 0 ? "" : lines[0]).split(" ", 3);
        String method = requestLine[0];
        String target = requestLine.length > 1 ? requestLine[1] : "/";
        int q = target.indexOf('?');
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon), k -> new ArrayList<>()).add(lines[i].substring(colon + 1));
            }
        }
        byte[] body = headAndBody.length > 1 ? headAndBody[1].getBytes(StandardCharsets.UTF_8) : new byte[0];
        SignedRequest request = new SignedRequest(method, q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1),
                headers, body);
        SigV4Verifier verifier = new SigV4Verifier("us-east-1", "service", Clock.fixed(Ec2SigV4Test.SUITE_TIME, ZoneOffset.UTC));
        try {
            assertThat(verifier.verify(request, Ec2SigV4Test.KEYS)).isEqualTo(Ec2SigV4Test.SIGNER);
        } catch (NuboException e) {
            assertThat(e.errorCode().code()).as(e.getMessage()).isIn(VERIFIER_CODES);
        }
    }
}
