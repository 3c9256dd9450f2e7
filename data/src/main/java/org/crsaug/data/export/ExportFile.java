package org.crsaug.data.export;

import java.util.List;

/** One file of an export: its name inside the output directory and its lines (each written with a trailing \n). */
public record ExportFile(String name, List<String> lines) {
}
