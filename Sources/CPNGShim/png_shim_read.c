// Reading side of the libpng shim. Every function that calls into libpng sets its
// own setjmp point, so a libpng error unwinds only C frames of this file.
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include "png_shim.h"

struct tessera_png_reader {
    png_structp png;
    png_infop info;
    FILE *file;
    const uint8_t *memory;
    size_t memory_count;
    size_t memory_position;
    png_bytepp row_pointers;   // owned; freed in close even after a longjmp
    int truncated;             // set by the read callback before it raises the error
    int io_failed;
    int failed;                // sticky: a reader that failed is never used again
    int stage;                 // 0 header read, 1 reading rows, 2 image read, 3 finished
    uint32_t rows_read;
    tessera_png_info out;
    char warnings[256];
    char message[640];
};

static void shim_error(png_structp png, png_const_charp text) {
    tessera_png_reader *reader = (tessera_png_reader *)png_get_error_ptr(png);
    if (reader->warnings[0] != 0) {
        snprintf(reader->message, sizeof reader->message, "%s (%s)", text, reader->warnings);
    } else {
        snprintf(reader->message, sizeof reader->message, "%s", text);
    }
    png_longjmp(png, 1);
}

static void shim_warning(png_structp png, png_const_charp text) {
    tessera_png_reader *reader = (tessera_png_reader *)png_get_error_ptr(png);
    size_t used = strlen(reader->warnings);
    if (used + 3 >= sizeof reader->warnings) return;
    snprintf(reader->warnings + used, sizeof reader->warnings - used, "%s%s", used ? "; " : "", text);
}

static void shim_read(png_structp png, png_bytep data, size_t length) {
    tessera_png_reader *reader = (tessera_png_reader *)png_get_io_ptr(png);
    if (reader->file != NULL) {
        size_t got = fread(data, 1, length, reader->file);
        if (got == length) return;
        if (ferror(reader->file)) {
            reader->io_failed = 1;
            png_error(png, strerror(errno));
        }
    } else {
        size_t left = reader->memory_count - reader->memory_position;
        if (left >= length) {
            memcpy(data, reader->memory + reader->memory_position, length);
            reader->memory_position += length;
            return;
        }
        reader->memory_position = reader->memory_count;
    }
    reader->truncated = 1;
    png_error(png, "unexpected end of file");
}

static int failure_code(const tessera_png_reader *reader) {
    if (reader->truncated) return TESSERA_PNG_ERR_TRUNCATED;
    if (reader->io_failed) return TESSERA_PNG_ERR_IO;
    return TESSERA_PNG_ERR_LIBPNG;
}

static int host_is_little_endian(void) {
    const uint16_t probe = 1;
    return *(const uint8_t *)&probe == 1;
}

// Reads the signature and header chunks and configures the RGBA transforms.
static int read_header(tessera_png_reader *reader) {
    uint8_t signature[8];
    size_t got;
    if (reader->file != NULL) {
        got = fread(signature, 1, 8, reader->file);
    } else {
        got = reader->memory_count < 8 ? reader->memory_count : 8;
        memcpy(signature, reader->memory, got);
        reader->memory_position = got;
    }
    if (got < 8) {
        snprintf(reader->message, sizeof reader->message,
                 "bad signature: file is only %zu bytes long", got);
        return TESSERA_PNG_ERR_SIGNATURE;
    }
    if (png_sig_cmp(signature, 0, 8) != 0) {
        // The signature's CR LF ... LF bytes exist to detect text-mode transfers; say so.
        static const uint8_t start[4] = {0x89, 'P', 'N', 'G'};
        int line_endings = memcmp(signature, start, 4) == 0 && signature[6] == 0x1A;
        snprintf(reader->message, sizeof reader->message,
                 "bad signature (expected 89 50 4E 47 0D 0A 1A 0A, found %02X %02X %02X %02X %02X %02X %02X %02X)%s",
                 signature[0], signature[1], signature[2], signature[3],
                 signature[4], signature[5], signature[6], signature[7],
                 line_endings ? ": line endings were converted, the file was transferred in text mode" : "");
        return TESSERA_PNG_ERR_SIGNATURE;
    }

    reader->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, shim_error, shim_warning);
    if (reader->png == NULL) return TESSERA_PNG_ERR_MEMORY;
    reader->info = png_create_info_struct(reader->png);
    if (reader->info == NULL) return TESSERA_PNG_ERR_MEMORY;

    if (setjmp(png_jmpbuf(reader->png))) {
        return failure_code(reader);
    }
    png_set_read_fn(reader->png, reader, shim_read);
    png_set_sig_bytes(reader->png, 8);
    png_read_info(reader->png, reader->info);

    png_structp png = reader->png;
    png_infop info = reader->info;
    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    int has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;

    // Gamma is deliberately not applied: pixel values are delivered as stored.
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (has_trns) png_set_tRNS_to_alpha(png);
    if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    if ((color_type & PNG_COLOR_MASK_ALPHA) == 0 && !has_trns) png_set_filler(png, 0xffff, PNG_FILLER_AFTER);
    if (bit_depth == 16 && host_is_little_endian()) png_set_swap(png);
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);

    reader->out.width = png_get_image_width(png, info);
    reader->out.height = png_get_image_height(png, info);
    reader->out.source_bit_depth = bit_depth;
    reader->out.source_color_type = color_type;
    reader->out.interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    reader->out.has_transparency = has_trns || (color_type & PNG_COLOR_MASK_ALPHA) != 0;
    reader->out.output_bit_depth = bit_depth == 16 ? 16 : 8;
    reader->out.output_row_bytes = png_get_rowbytes(png, info);
    size_t expected = (size_t)reader->out.width * 4u * (size_t)(reader->out.output_bit_depth / 8);
    if (reader->out.output_row_bytes != expected) {
        snprintf(reader->message, sizeof reader->message,
                 "internal error: libpng produced %zu bytes per row, expected %zu",
                 reader->out.output_row_bytes, expected);
        return TESSERA_PNG_ERR_LIBPNG;
    }
    return TESSERA_PNG_OK;
}

static tessera_png_reader *new_reader(void) {
    tessera_png_reader *reader = (tessera_png_reader *)calloc(1, sizeof *reader);
    return reader;
}

tessera_png_reader *tessera_png_reader_open_file(const char *path, int *status) {
    tessera_png_reader *reader = new_reader();
    if (reader == NULL) { *status = TESSERA_PNG_ERR_MEMORY; return NULL; }
    reader->file = fopen(path, "rb");
    if (reader->file == NULL) {
        snprintf(reader->message, sizeof reader->message, "cannot open: %s", strerror(errno));
        reader->failed = 1;
        *status = TESSERA_PNG_ERR_OPEN;
        return reader;
    }
    *status = read_header(reader);
    if (*status != TESSERA_PNG_OK) reader->failed = 1;
    return reader;
}

tessera_png_reader *tessera_png_reader_open_memory(const uint8_t *bytes, size_t count, int *status) {
    tessera_png_reader *reader = new_reader();
    if (reader == NULL) { *status = TESSERA_PNG_ERR_MEMORY; return NULL; }
    reader->memory = bytes;
    reader->memory_count = count;
    *status = read_header(reader);
    if (*status != TESSERA_PNG_OK) reader->failed = 1;
    return reader;
}

const char *tessera_png_reader_message(const tessera_png_reader *reader) {
    return reader->message;
}

int tessera_png_reader_info(const tessera_png_reader *reader, tessera_png_info *info) {
    if (reader->failed) return TESSERA_PNG_ERR_USAGE;
    *info = reader->out;
    return TESSERA_PNG_OK;
}

static int refuse(tessera_png_reader *reader, const char *why) {
    snprintf(reader->message, sizeof reader->message, "%s", why);
    reader->failed = 1;
    return TESSERA_PNG_ERR_USAGE;
}

int tessera_png_reader_read_rows(tessera_png_reader *reader, uint8_t *rows, uint32_t count) {
    if (reader->failed) return TESSERA_PNG_ERR_USAGE;
    if (count == 0) return TESSERA_PNG_OK;
    if (reader->out.interlaced) return refuse(reader, "interlaced images cannot be read row by row");
    if (reader->stage > 1) return refuse(reader, "the image was already read");
    if (count > reader->out.height - reader->rows_read) return refuse(reader, "more rows requested than remain in the image");
    reader->stage = 1;
    if (setjmp(png_jmpbuf(reader->png))) {
        reader->failed = 1;
        return failure_code(reader);
    }
    for (uint32_t row = 0; row < count; row++) {
        png_read_row(reader->png, rows + (size_t)row * reader->out.output_row_bytes, NULL);
        reader->rows_read++;
    }
    if (reader->rows_read == reader->out.height) reader->stage = 2;
    return TESSERA_PNG_OK;
}

int tessera_png_reader_read_image(tessera_png_reader *reader, uint8_t *pixels) {
    if (reader->failed) return TESSERA_PNG_ERR_USAGE;
    if (reader->stage != 0) return refuse(reader, "read_image must be the first read");
    reader->row_pointers = (png_bytepp)malloc(sizeof(png_bytep) * (reader->out.height ? reader->out.height : 1));
    if (reader->row_pointers == NULL) {
        reader->failed = 1;
        return TESSERA_PNG_ERR_MEMORY;
    }
    for (uint32_t row = 0; row < reader->out.height; row++) {
        reader->row_pointers[row] = pixels + (size_t)row * reader->out.output_row_bytes;
    }
    reader->stage = 1;
    if (setjmp(png_jmpbuf(reader->png))) {
        reader->failed = 1;
        return failure_code(reader);
    }
    png_read_image(reader->png, reader->row_pointers);
    reader->rows_read = reader->out.height;
    reader->stage = 2;
    return TESSERA_PNG_OK;
}

int tessera_png_reader_finish(tessera_png_reader *reader) {
    if (reader->failed) return TESSERA_PNG_ERR_USAGE;
    if (reader->stage != 2) return refuse(reader, "finish called before all rows were read");
    if (setjmp(png_jmpbuf(reader->png))) {
        reader->failed = 1;
        return failure_code(reader);
    }
    png_read_end(reader->png, reader->info);
    reader->stage = 3;
    return TESSERA_PNG_OK;
}

int tessera_png_reader_text_count(const tessera_png_reader *reader) {
    if (reader->png == NULL || reader->info == NULL) return 0;
    png_textp text = NULL;
    int count = 0;
    count = png_get_text(reader->png, reader->info, &text, NULL);
    return count;
}

int tessera_png_reader_text_at(const tessera_png_reader *reader, int index,
                               const char **key, const char **text, size_t *text_length,
                               int *compression) {
    if (reader->png == NULL || reader->info == NULL) return TESSERA_PNG_ERR_USAGE;
    png_textp chunks = NULL;
    int count = png_get_text(reader->png, reader->info, &chunks, NULL);
    if (index < 0 || index >= count) return TESSERA_PNG_ERR_USAGE;
    *key = chunks[index].key;
    *text = chunks[index].text ? chunks[index].text : "";
    *compression = chunks[index].compression;
    *text_length = chunks[index].compression >= PNG_ITXT_COMPRESSION_NONE
        ? chunks[index].itxt_length : chunks[index].text_length;
    return TESSERA_PNG_OK;
}

void tessera_png_reader_close(tessera_png_reader *reader) {
    if (reader == NULL) return;
    if (reader->png != NULL) {
        png_destroy_read_struct(&reader->png, reader->info ? &reader->info : NULL, NULL);
    }
    if (reader->file != NULL) fclose(reader->file);
    free(reader->row_pointers);
    free(reader);
}
