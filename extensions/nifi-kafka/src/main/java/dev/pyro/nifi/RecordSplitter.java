package dev.pyro.nifi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Cuts a flowfile's content into Kafka records at a demarcator byte sequence. */
final class RecordSplitter {

    /** Receives one record; returns false to stop reading (the rest of the content is not sent). */
    interface Sink {
        boolean accept(byte[] record);
    }

    private RecordSplitter() {
    }

    /**
     * The demarcator's bytes (UTF-8). A REST client or flow file can hardly carry a raw newline in a property, so the
     * escapes \n, \r, \t and \\ stand for their characters.
     */
    static byte[] demarcatorBytes(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                char next = value.charAt(i + 1);
                String decoded = switch (next) {
                    case 'n' -> "\n";
                    case 'r' -> "\r";
                    case 't' -> "\t";
                    case '\\' -> "\\";
                    default -> null;
                };
                if (decoded != null) {
                    out.append(decoded);
                    i++;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Streams `in` and hands each piece between demarcators to `sink`. Empty pieces are skipped, so a trailing
     * demarcator (a last line ending in a newline) adds no empty record. Returns false when the sink stopped early.
     */
    static boolean split(InputStream in, byte[] demarcator, Sink sink) throws IOException {
        int[] fallback = fallbackTable(demarcator);
        Record record = new Record();
        byte[] chunk = new byte[65536];
        int matched = 0;
        for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                record.write(b);
                // Knuth-Morris-Pratt: a mismatch falls back to the longest demarcator prefix still matching, so
                // overlapping starts ("aab" in "aaab") are found without rereading bytes.
                while (matched > 0 && b != demarcator[matched]) {
                    matched = fallback[matched - 1];
                }
                if (b == demarcator[matched]) {
                    matched++;
                }
                if (matched == demarcator.length) {
                    matched = 0;
                    int length = record.size() - demarcator.length;
                    byte[] piece = record.take(length);
                    if (length > 0 && !sink.accept(piece)) {
                        return false;
                    }
                }
            }
        }
        return record.size() == 0 || sink.accept(record.take(record.size()));
    }

    /** For each prefix of the pattern, the length of its longest proper prefix that is also its suffix. */
    private static int[] fallbackTable(byte[] pattern) {
        int[] table = new int[pattern.length];
        for (int i = 1, k = 0; i < pattern.length; i++) {
            while (k > 0 && pattern[i] != pattern[k]) {
                k = table[k - 1];
            }
            if (pattern[i] == pattern[k]) {
                k++;
            }
            table[i] = k;
        }
        return table;
    }

    /**
     * The bytes of the record being read; take() copies out the first bytes and starts the next record. Not a
     * ByteArrayOutputStream: its write is synchronized, and this one is called once per byte.
     */
    private static final class Record {
        private byte[] buf = new byte[8192];
        private int count;

        void write(byte b) {
            if (count == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[count++] = b;
        }

        int size() {
            return count;
        }

        byte[] take(int length) {
            byte[] piece = Arrays.copyOf(buf, length);
            count = 0;
            return piece;
        }
    }
}
