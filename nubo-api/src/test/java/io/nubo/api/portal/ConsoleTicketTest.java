package io.nubo.api.portal;

import io.nubo.api.TestCloud;
import io.nubo.core.model.NewAccessKey;
import io.nubo.control.console.VncConnector;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Console tickets: one instance, one use, one account. */
class ConsoleTicketTest {
    @Test
    void aTicketOpensOnlyItsOwnInstanceOnlyOnceAndOnlyForItsAccount() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            cloud.cp.consoleTickets().useVncAccess((host, id) -> Optional.of(new VncConnector.UnixSocket(Path.of("/vnc", id))));
            NewAccessKey a = cloud.tenant("ticket-a");
            NewAccessKey b = cloud.tenant("ticket-b");
            String one = cloud.launch(a);
            String two = cloud.launch(a);
            cloud.awaitState(a, one, "running");
            cloud.awaitState(a, two, "running");

            TestCloud.Reply t = cloud.call(a, "POST", "/api/v1/instances/" + one + "/console-ticket", "{}");
            assertThat(t.status()).isEqualTo(201);
            String ticket = t.json().path("ticket").asText();
            assertThat(t.json().path("path").asText()).isEqualTo("/portal/console/" + one + "?ticket=" + ticket);
            assertThat(cloud.cp.consoleTickets().redeem(ticket, one)).contains(new VncConnector.UnixSocket(Path.of("/vnc", one)));
            assertThat(cloud.cp.consoleTickets().redeem(ticket, one)).as("reuse").isEmpty();

            String forOne = cloud.call(a, "POST", "/api/v1/instances/" + one + "/console-ticket", "{}").json().path("ticket").asText();
            assertThat(cloud.cp.consoleTickets().redeem(forOne, two)).as("another instance").isEmpty();
            assertThat(cloud.cp.consoleTickets().redeem(forOne, one)).as("spent by the failed attempt").isEmpty();

            TestCloud.Reply foreign = cloud.call(b, "POST", "/api/v1/instances/" + one + "/console-ticket", "{}");
            assertThat(foreign.code()).isEqualTo("InvalidInstanceID.NotFound");

            cloud.call(a, "POST", "/api/v1/instances/" + two + "/stop", "{}");
            cloud.awaitState(a, two, "stopped");
            assertThat(cloud.call(a, "POST", "/api/v1/instances/" + two + "/console-ticket", "{}").code()).isEqualTo("IncorrectInstanceState");
        }
    }
}
