// Writing side of the libpng shim: a row-streaming writer. Every function that calls
// into libpng owns its setjmp, so libpng errors never unwind Swift frames.
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include "png_shim.h"

struct tessera_png_writer {
    png_structp png;
    png_infop info;
    FILE *file;
    char *path;
    png_textp texts;
    int text_count;
    int header_written;
    int finished;
    int failed;
    int io_failed;
    uint32_t height;
    uint32_t rows_written;
    size_t row_bytes;
    int bit_depth;
    char message[512];
};

static void shim_error(png_structp png, png_const_charp text) {
    tessera_png_writer *writer = (tessera_png_writer *)png_get_error_ptr(png);
    if (!writer->io_failed) snprintf(writer->message, sizeof writer->message, "%s", text);
    png_longjmp(png, 1);
}

static void shim_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;  // writing warnings (e.g. long keywords) are prevented by the Swift side's validation
}

static void shim_write(png_structp png, png_bytep data, size_t length) {
    tessera_png_writer *writer = (tessera_png_writer *)png_get_io_ptr(png);
    if (fwrite(data, 1, length, writer->file) != length) {
        writer->io_failed = 1;
        snprintf(writer->message, sizeof writer->message, "write failed: %s", strerror(errno));
        png_error(png, writer->message);
    }
}

static void shim_flush(png_structp png) {
    tessera_png_writer *writer = (tessera_png_writer *)png_get_io_ptr(png);
    fflush(writer->file);
}

static int host_is_little_endian(void) {
    const uint16_t probe = 1;
    return *(const uint8_t *)&probe == 1;
}

static int fail(tessera_png_writer *writer, int code, const char *why) {
    if (why != NULL) snprintf(writer->message, sizeof writer->message, "%s", why);
    writer->failed = 1;
    return code;
}

tessera_png_writer *tessera_png_writer_open_file(const char *path, uint32_t width, uint32_t height,
                                                 int channels, int bit_depth, int compression_level,
                                                 int *status) {
    tessera_png_writer *writer = (tessera_png_writer *)calloc(1, sizeof *writer);
    if (writer == NULL) { *status = TESSERA_PNG_ERR_MEMORY; return NULL; }
    if ((channels != 3 && channels != 4) || (bit_depth != 8 && bit_depth != 16) || width == 0 || height == 0
        || compression_level < 0 || compression_level > 9) {
        *status = fail(writer, TESSERA_PNG_ERR_USAGE, "invalid writer parameters");
        return writer;
    }
    writer->path = strdup(path);
    writer->file = fopen(path, "wb");
    if (writer->file == NULL) {
        snprintf(writer->message, sizeof writer->message, "cannot create: %s", strerror(errno));
        *status = fail(writer, TESSERA_PNG_ERR_OPEN, NULL);
        return writer;
    }
    writer->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, writer, shim_error, shim_warning);
    if (writer->png == NULL) { *status = fail(writer, TESSERA_PNG_ERR_MEMORY, "out of memory"); return writer; }
    writer->info = png_create_info_struct(writer->png);
    if (writer->info == NULL) { *status = fail(writer, TESSERA_PNG_ERR_MEMORY, "out of memory"); return writer; }
    writer->height = height;
    writer->bit_depth = bit_depth;
    writer->row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
    if (setjmp(png_jmpbuf(writer->png))) {
        *status = fail(writer, writer->io_failed ? TESSERA_PNG_ERR_IO : TESSERA_PNG_ERR_LIBPNG, NULL);
        return writer;
    }
    png_set_write_fn(writer->png, writer, shim_write, shim_flush);
    png_set_IHDR(writer->png, writer->info, width, height, bit_depth,
                 channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(writer->png, compression_level);
    *status = TESSERA_PNG_OK;
    return writer;
}

const char *tessera_png_writer_message(const tessera_png_writer *writer) {
    return writer->message;
}

static char *copy_bytes(const char *bytes, size_t length) {
    char *copy = (char *)malloc(length + 1);
    if (copy == NULL) return NULL;
    memcpy(copy, bytes, length);
    copy[length] = 0;
    return copy;
}

int tessera_png_writer_add_text(tessera_png_writer *writer, const char *key, const char *text,
                                size_t text_length, int itxt) {
    if (writer->failed) return TESSERA_PNG_ERR_USAGE;
    if (writer->header_written) return fail(writer, TESSERA_PNG_ERR_USAGE, "text chunks must be added before the first row");
    png_textp grown = (png_textp)realloc(writer->texts, sizeof(png_text) * (size_t)(writer->text_count + 1));
    if (grown == NULL) return fail(writer, TESSERA_PNG_ERR_MEMORY, "out of memory");
    writer->texts = grown;
    png_textp entry = &writer->texts[writer->text_count];
    memset(entry, 0, sizeof *entry);
    entry->key = copy_bytes(key, strlen(key));
    entry->text = copy_bytes(text, text_length);
    if (entry->key == NULL || entry->text == NULL) {
        free(entry->key);
        free(entry->text);
        return fail(writer, TESSERA_PNG_ERR_MEMORY, "out of memory");
    }
    if (itxt) {
        entry->compression = PNG_ITXT_COMPRESSION_NONE;
        entry->itxt_length = text_length;
        entry->lang = NULL;
        entry->lang_key = NULL;
    } else {
        entry->compression = PNG_TEXT_COMPRESSION_NONE;
        entry->text_length = text_length;
    }
    writer->text_count++;
    return TESSERA_PNG_OK;
}

int tessera_png_writer_write_rows(tessera_png_writer *writer, const uint8_t *rows, uint32_t count) {
    if (writer->failed) return TESSERA_PNG_ERR_USAGE;
    if (count > writer->height - writer->rows_written) {
        return fail(writer, TESSERA_PNG_ERR_USAGE, "more rows written than the image height");
    }
    if (setjmp(png_jmpbuf(writer->png))) {
        return fail(writer, writer->io_failed ? TESSERA_PNG_ERR_IO : TESSERA_PNG_ERR_LIBPNG, NULL);
    }
    if (!writer->header_written) {
        if (writer->text_count > 0) png_set_text(writer->png, writer->info, writer->texts, writer->text_count);
        png_write_info(writer->png, writer->info);
        if (writer->bit_depth == 16 && host_is_little_endian()) png_set_swap(writer->png);
        writer->header_written = 1;
    }
    for (uint32_t row = 0; row < count; row++) {
        png_write_row(writer->png, rows + (size_t)row * writer->row_bytes);
        writer->rows_written++;
    }
    return TESSERA_PNG_OK;
}

int tessera_png_writer_finish(tessera_png_writer *writer) {
    if (writer->failed) return TESSERA_PNG_ERR_USAGE;
    if (writer->rows_written != writer->height) {
        snprintf(writer->message, sizeof writer->message, "only %u of %u rows were written",
                 writer->rows_written, writer->height);
        return fail(writer, TESSERA_PNG_ERR_USAGE, NULL);
    }
    if (setjmp(png_jmpbuf(writer->png))) {
        return fail(writer, writer->io_failed ? TESSERA_PNG_ERR_IO : TESSERA_PNG_ERR_LIBPNG, NULL);
    }
    png_write_end(writer->png, NULL);
    FILE *file = writer->file;
    writer->file = NULL;
    if (fclose(file) != 0) {
        snprintf(writer->message, sizeof writer->message, "closing failed: %s", strerror(errno));
        return fail(writer, TESSERA_PNG_ERR_IO, NULL);
    }
    writer->finished = 1;
    return TESSERA_PNG_OK;
}

void tessera_png_writer_close(tessera_png_writer *writer) {
    if (writer == NULL) return;
    if (writer->png != NULL) {
        png_destroy_write_struct(&writer->png, writer->info ? &writer->info : NULL);
    }
    if (writer->file != NULL) fclose(writer->file);
    if (!writer->finished && writer->path != NULL) remove(writer->path);
    for (int i = 0; i < writer->text_count; i++) {
        free(writer->texts[i].key);
        free(writer->texts[i].text);
    }
    free(writer->texts);
    free(writer->path);
    free(writer);
}
