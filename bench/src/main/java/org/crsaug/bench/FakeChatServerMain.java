package org.crsaug.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import org.crsaug.platform.artifact.AtomicFiles;
import org.crsaug.testkit.FakeChatServer;

/**
 * The testkit's fake OpenAI-compatible server as a process of its own (for {@code crs bench stream}'s
 * scorer scaling, so its threads do not share the measured scorers' JVM). Arguments: the reply latency
 * in ms and a file to which its base URL is written once it listens. Runs until killed (SIGTERM).
 */
public final class FakeChatServerMain {

    private FakeChatServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: FakeChatServerMain <latency-ms> <url-file>");
            System.exit(2);
        }
        FakeChatServer server = new FakeChatServer().latencyMs(Long.parseLong(args[0]))
                .responder(FakeChatServer::chainOfThoughtReply);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "fake-chat-server-stop"));
        Path urlFile = Path.of(args[1]);
        // written whole under another name and renamed: the parent never reads half a URL
        Path written = Files.writeString(urlFile.resolveSibling(urlFile.getFileName() + ".tmp"), server.baseUrl());
        AtomicFiles.replace(written, urlFile);
        System.out.println("fake chat server at " + server.baseUrl() + ", " + args[0] + " ms per reply");
        Thread.currentThread().join();
    }
}
