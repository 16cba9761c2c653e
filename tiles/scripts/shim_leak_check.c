// Leak/memory-error check of the libpng shim under valgrind (Swift binaries carry DWARF 5,
// which valgrind 3.19 cannot read, so the C shim is exercised directly).
// Usage: tiles/scripts/shim_leak_check.sh
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "png_shim.h"

static int decode(const char *path, int rows_mode) {
    int status = 0;
    tessera_png_reader *reader = tessera_png_reader_open_file(path, &status);
    if (status == TESSERA_PNG_OK) {
        tessera_png_info info;
        tessera_png_reader_info(reader, &info);
        uint8_t *pixels = malloc(info.output_row_bytes * info.height);
        if (rows_mode && !info.interlaced) {
            for (uint32_t row = 0; row < info.height && status == TESSERA_PNG_OK; row++) {
                status = tessera_png_reader_read_rows(reader, pixels + row * info.output_row_bytes, 1);
            }
        } else {
            status = tessera_png_reader_read_image(reader, pixels);
        }
        if (status == TESSERA_PNG_OK) status = tessera_png_reader_finish(reader);
        free(pixels);
    }
    tessera_png_reader_close(reader);
    return status;
}

int main(int argc, char **argv) {
    int failures = 0;
    for (int index = 1; index < argc; index++) {
        for (int mode = 0; mode < 2; mode++) {
            int status = decode(argv[index], mode);
            const char *name = strrchr(argv[index], '/');
            name = name ? name + 1 : argv[index];
            int should_fail = name[0] == 'x';
            if ((status != TESSERA_PNG_OK) != should_fail) {
                printf("unexpected status %d for %s\n", status, argv[index]);
                failures++;
            }
        }
    }
    // Writer: a complete file, then an abandoned one (must be removed, nothing leaked).
    int status = 0;
    tessera_png_writer *writer = tessera_png_writer_open_file("/tmp/shim-leak-check.png", 4, 3, 4, 16, 6, &status);
    tessera_png_writer_add_text(writer, "parameters", "Steps: 20", 9, 0);
    uint16_t row[16] = {0};
    for (int r = 0; r < 3; r++) tessera_png_writer_write_rows(writer, (const uint8_t *)row, 1);
    if (tessera_png_writer_finish(writer) != TESSERA_PNG_OK) failures++;
    tessera_png_writer_close(writer);
    writer = tessera_png_writer_open_file("/tmp/shim-leak-check.png", 4, 3, 3, 8, 6, &status);
    tessera_png_writer_add_text(writer, "parameters", "x", 1, 1);
    tessera_png_writer_write_rows(writer, (const uint8_t *)row, 1);
    tessera_png_writer_close(writer);
    printf("%d files checked, %d unexpected results\n", argc - 1, failures);
    return failures != 0;
}
