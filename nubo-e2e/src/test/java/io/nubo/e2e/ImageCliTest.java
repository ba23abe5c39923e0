package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nubo.server.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code nubo images} and {@code nubo pools} against a real server process (fake driver: no VM is needed here). */
class ImageCliTest {
    static ServerProcess server;
    static Path work;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("nubo-image-cli");
        server = new ServerProcess(work.resolve("data"), "--driver", "fake", "--fake-boot-ms", "100", "--max-image-size", "256M").start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    record Result(int code, String out, String err) {
    }

    static Result nubo(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--endpoint", server.url(), "--data-dir", server.dataDir.toString()));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new Main()).execute(all.toArray(String[]::new));
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** A 16 MiB disk in {@code format}, its first 2 MiB random, made by qemu-img. */
    static Path disk(String format, String name) throws Exception {
        Path raw = work.resolve(name + ".raw");
        byte[] data = new byte[2 << 20];
        new Random(3).nextBytes(data);
        Files.write(raw, data);
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(16 << 20);
        }
        Path out = work.resolve(name);
        qemuImg("convert", "-q", "-f", "raw", "-O", format, raw.toString(), out.toString());
        return out;
    }

    static void qemuImg(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("qemu-img"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    void aLocalVhdIsUploadedConvertedAndWaitedFor() throws Exception {
        Path vhd = disk("vpc", "cli.vhd");

        Result r = nubo("images", "import", vhd.toString(), "--name", "cli-vhd", "--format", "qcow2", "--wait");

        assertThat(r.code()).as(r.err()).isZero();
        String id = r.out().strip();
        assertThat(id).matches("ami-[0-9a-f]{17}");
        assertThat(r.err()).contains("uploading cli.vhd: 100%").contains(id + ": available");
        JsonNode shown = JSON.readTree(nubo("images", "show", id, "-o", "json").out());
        assertThat(shown.path("format").asText()).isEqualTo("qcow2");
        assertThat(shown.path("state").asText()).isEqualTo("available");
        assertThat(nubo("images", "list").out()).contains(id, "cli-vhd", "available", "100%");
    }

    @Test
    void jsonOutputGivesTheWholeImage() throws Exception {
        Result r = nubo("images", "import", disk("vmdk", "cli.vmdk").toString(), "--name", "cli-vmdk", "--wait", "-o", "json");

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode image = JSON.readTree(r.out());
        assertThat(image.path("state").asText()).isEqualTo("available");
        assertThat(image.path("format").asText()).isEqualTo("vmdk");
    }

    @Test
    void hostileAndOversizedImagesFailWithTheServersErrorCode() throws Exception {
        Path evil = work.resolve("evil.qcow2");
        qemuImg("create", "-q", "-f", "qcow2", "-b", "/etc/shadow", "-F", "raw", evil.toString(), "1M");
        Result r = nubo("images", "import", evil.toString(), "--name", "cli-evil");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error: InvalidDiskImage:").contains("backing file (/etc/shadow)");

        Path big = work.resolve("big.qcow2");
        qemuImg("create", "-q", "-f", "qcow2", big.toString(), "1G");
        Result tooBig = nubo("images", "import", big.toString(), "--name", "cli-big");
        assertThat(tooBig.err()).contains("InvalidDiskImage").contains("over this cloud's limit of 256.0 MiB");

        assertThat(nubo("images", "import", work.resolve("absent.vhd").toString(), "--name", "cli-absent").err()).contains("NoSuchFile");
        assertThat(nubo("images", "list").out()).doesNotContain("cli-evil", "cli-big");
    }

    @Test
    void anImageIsSharedThenDeleted() throws Exception {
        String id = nubo("images", "import", disk("qcow2", "share.qcow2").toString(), "--name", "cli-share", "--wait").out().strip();
        Result account = nubo("accounts", "create", "cli-share-friend", "-o", "json");
        String friend = JSON.readTree(account.out()).path("account").path("accountId").asText();

        Result shared = nubo("images", "share", id, "--account", friend, "-o", "json");
        assertThat(shared.code()).as(shared.err()).isZero();
        assertThat(JSON.readTree(shared.out()).path("accountIds").get(0).asText()).isEqualTo(friend);
        assertThat(nubo("images", "share", id, "--account", "42").err()).contains("InvalidAMIAttributeItemValue");

        Result deleted = nubo("images", "delete", id);
        assertThat(deleted.code()).as(deleted.err()).isZero();
        assertThat(nubo("images", "show", id).err()).contains("InvalidAMIID.NotFound");
    }

    @Test
    void poolsListShowsTheSharedAndTheHostsLocalPool() throws Exception {
        Result r = nubo("pools", "list", "-o", "json");

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode pools = JSON.readTree(r.out());
        assertThat(pools).hasSize(2);
        assertThat(pools.get(0).path("kind").asText()).isEqualTo("shared");
        assertThat(pools.get(0).path("path").asText()).isEqualTo(server.dataDir.resolve("pools/shared").toString());
        assertThat(pools.get(1).path("kind").asText()).isEqualTo("local");
        assertThat(pools.get(1).path("path").asText()).isEqualTo(server.dataDir.resolve("pools/local").toString());
        String host = pools.get(1).path("hostId").asText();
        assertThat(pools.get(0).path("hosts").get(0).path("hostId").asText()).as("the host reaches the shared pool").isEqualTo(host);
        assertThat(Files.isDirectory(server.dataDir.resolve("pools/local"))).isTrue();
        assertThat(nubo("pools", "list").out()).contains("shared", "local", host);
    }
}
