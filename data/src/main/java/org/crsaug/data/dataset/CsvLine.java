package org.crsaug.data.dataset;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 field splitting for one physical line. Quoted fields spanning lines are not supported on
 * purpose: the catalogue has none, and treating each line alone means a stray quote costs one row
 * instead of swallowing the rest of the file.
 */
final class CsvLine {

    private CsvLine() {
    }

    static List<String> split(String line) throws MalformedRecordException {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            field.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                int open = i;
                i++;
                while (true) {
                    if (i >= n) {
                        throw new MalformedRecordException("unterminated quoted field starting at column " + (open + 1));
                    }
                    char c = line.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && line.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.append(c);
                    i++;
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new MalformedRecordException("unexpected '" + line.charAt(i) + "' after closing quote at column "
                            + (i + 1));
                }
            } else {
                while (i < n && line.charAt(i) != ',') {
                    field.append(line.charAt(i));
                    i++;
                }
            }
            fields.add(field.toString());
            if (i >= n) {
                return fields;
            }
            i++; // the comma
        }
    }
}
