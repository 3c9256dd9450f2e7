package org.crsaug.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.crsaug.launcher.Crs;

/** A crs bench command line run in the test's JVM, as a terminal would run it: exit code, stdout, stderr. */
record BenchCli(int rc, String out, String err) {

    static BenchCli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int rc;
        try {
            picocli.CommandLine cl = Bench.commandLine();
            cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
            rc = Crs.execute(cl, args);
        } finally {
            System.setOut(oldOut);
        }
        return new BenchCli(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
