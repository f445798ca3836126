import sys as _sys

# Text no file can hold as it is: lone surrogates, NUL and other controls, terminal
# escapes (a screen clear, a colour, a window title), rich markup and HTML.
GARBAGE = ("lone \ud800 \udfff, NUL \x00, bell \x07, C1 \x9b, \x1b[2J\x1b[31mred\x1b[0m, "
           "\x1b]0;title\x07, [bold red]markup[/bold red], <script>x</script>")
print("at import: " + GARBAGE)

_get_transforms = get_transforms


def get_transforms(normalize):
    """Text attack: print what no file can hold, through Python and below it, then do
    the right thing."""
    print(GARBAGE)
    _sys.stderr.write(GARBAGE + "\n")
    _os.write(1, b"invalid UTF-8: \xff\xfe \xed\xa0\x80 \xc3(\n")
    _os.write(2, GARBAGE.encode("utf-8", "surrogatepass") + b"\n")
    return _get_transforms(normalize)
