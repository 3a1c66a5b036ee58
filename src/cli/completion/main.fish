# What follows is the same for every version of synapse; the tables above say what each
# command takes.

function __synapse_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l cur (commandline -ct)
    set -l cmd synapse
    set -l kind ''
    set -l seen 0
    set -l ended 0
    # Which command the words name, and whether the word being completed is a flag's value.
    for word in $words
        if test -n "$kind"
            set kind ''
            continue
        end
        if test $ended = 1
            set seen (math $seen + 1)
            continue
        end
        if test "$word" = --
            set ended 1
            continue
        end
        if string match -q -- '-?*' $word
            string match -q -- '*=*' $word; or set kind (__synapse_value $cmd $word)
            continue
        end
        if test $seen = 0; and contains -- $word (__synapse_commands $cmd | string replace -r '\t.*' '')
            set cmd "$cmd $word"
            continue
        end
        set seen (math $seen + 1)
    end

    set -l before ''
    if test -n "$kind"
    else if test $ended = 0; and string match -q -- '--*=*' $cur
        set -l flag (string split -m 1 -- = $cur)[1]
        set before "$flag="
        set kind (__synapse_value $cmd $flag)
        test -n "$kind"; or set kind (__synapse_inline $cmd $flag)
    else if test $ended = 0; and string match -q -- '-*' $cur
        __synapse_flags $cmd
        return
    else
        if test $seen = 0; and test $ended = 0
            set -l commands (__synapse_commands $cmd)
            if set -q commands[1]
                printf '%s\n' $commands
                return
            end
        end
        set kind (__synapse_positional $cmd $seen)
    end

    # The value as typed, its quotes and backslashes left out: fish matches the words offered
    # against it the same way, and quotes what it inserts (a title with spaces stays one word).
    set -l value (string sub -s (math (string length -- "$before") + 1) -- "$cur" | string replace -r -- '^[\'"]' '' | string replace -a -- '\\' '')
    switch $kind
        case sessions providers
            # synapse has chosen what fits (ids in any case): each line is a word, a tab, a description.
            command synapse __complete $kind -- "$value" 2>/dev/null | string replace -r -- '^' "$before"
        case files
            __fish_complete_path "$value" | string replace -r -- '^' "$before"
        case 'words *'
            for word in (string split ' ' -- (string replace 'words ' '' -- $kind))
                echo "$before$word"
            end
    end
end

complete -c synapse -e
complete -c synapse -f -a '(__synapse_complete)'
