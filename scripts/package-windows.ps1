<#
.SYNOPSIS
  Builds Kunci's Windows packages into target\dist:
    kunci-<version>-windows-x86_64-portable.zip   (unzip anywhere, e.g. a USB stick; no admin)
    kunci-<version>-windows-x86_64-setup.exe      (per-user installer; when NSIS is available)

.DESCRIPTION
  Run it with PowerShell 7: `pwsh scripts\package-windows.ps1`. It runs
  `cargo build --release --locked` (MSVC toolchain, and the Windows SDK for the icon and
  version resources: see build.rs), then assembles the portable zip: kunci.exe, README.md,
  the LICENSE files if any, an empty `portable` marker (Kunci then keeps its data in a `data`
  folder beside kunci.exe) and PORTABLE.txt. The installer is built from packaging\windows\kunci.nsi with
  makensis when it is on PATH or in Program Files.

  Environment: CARGO_TARGET_DIR is honoured for the build; KUNCI_DIST_DIR (default
  target\dist in the repository) is where the packages go.

.PARAMETER Installer
  The installer is required: install NSIS with Chocolatey if makensis is missing (CI), and
  fail if that does not work.

.PARAMETER SkipBuild
  Package the existing target\release\kunci.exe.
#>
[CmdletBinding()]
param(
    [switch]$Installer,
    [switch]$SkipBuild
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Invoke-Native {
    # Runs a program and stops on a non-zero exit code ($ErrorActionPreference does not).
    param([string]$Exe, [string[]]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

$root = Split-Path -Parent $PSScriptRoot
Set-Location $root

# The version from Cargo.toml, through cargo so that it is exactly what the build embeds.
$metadata = (& cargo metadata --no-deps --format-version 1) | ConvertFrom-Json
if ($LASTEXITCODE -ne 0) { throw 'cargo metadata failed' }
$version = ($metadata.packages | Where-Object { $_.name -eq 'kunci' }).version
if (-not $version) { throw 'no version for package kunci in cargo metadata' }
# Windows version resources want four numbers: 1.2.3-rc.1 -> 1.2.3.0
$numeric = ($version -split '[-+]')[0]
$versionQuad = "$numeric.0"
Write-Host "Kunci $version"

if (-not (Test-Path 'assets\icon\kunci.ico')) { throw 'assets\icon\kunci.ico is missing (scripts/make-icons)' }

if (-not $SkipBuild) {
    Invoke-Native 'cargo' @('build', '--release', '--locked')
}
$targetDir = if ($env:CARGO_TARGET_DIR) { $env:CARGO_TARGET_DIR } else { Join-Path $root 'target' }
$exe = Join-Path $targetDir 'release\kunci.exe'
if (-not (Test-Path $exe)) { throw "$exe not found" }

$dist = if ($env:KUNCI_DIST_DIR) { $env:KUNCI_DIST_DIR } else { Join-Path $root 'target\dist' }
New-Item -ItemType Directory -Force -Path $dist | Out-Null

# --- Portable zip -----------------------------------------------------------------------------
$base = "kunci-$version-windows-x86_64-portable"
$stageParent = Join-Path $targetDir "package\$base"
$stage = Join-Path $stageParent 'Kunci'
if (Test-Path $stageParent) { Remove-Item -Recurse -Force $stageParent }
New-Item -ItemType Directory -Force -Path $stage | Out-Null

Copy-Item $exe (Join-Path $stage 'kunci.exe')
Copy-Item 'README.md' $stage
Get-ChildItem -Path $root -File -Filter 'LICENSE*' | Copy-Item -Destination $stage
# The marker: its presence (not its content) makes kunci.exe keep its data in .\data
New-Item -ItemType File -Path (Join-Path $stage 'portable') | Out-Null

$portableText = @"
Kunci $version - portable

English
-------
Unzip this folder anywhere you can write: a USB stick, Documents, the Desktop. No
administrator rights are needed. Start kunci.exe from the unzipped folder (not from inside
the zip).

Because of the file named "portable" next to kunci.exe, Kunci keeps its account list and
settings in the "data" folder next to kunci.exe. Delete "portable" to use
%APPDATA%\Kunci\data instead.

The secrets themselves are never in that folder: they are in the Windows Credential Manager
of the Windows user who added them, on that computer. On another computer, or as another
Windows user, the list is there but the codes are not: add the accounts there again (scan
the QR code again, or use "kunci uri" on the first computer to see the otpauth:// address).

Bahasa Indonesia
----------------
Ekstrak folder ini ke mana saja yang bisa Anda tulisi: flashdisk, Documents, atau Desktop.
Tidak perlu hak administrator. Jalankan kunci.exe dari folder hasil ekstrak (jangan langsung
dari dalam file zip).

Karena ada file bernama "portable" di samping kunci.exe, Kunci menyimpan daftar akun dan
pengaturannya di folder "data" di samping kunci.exe. Hapus file "portable" jika Anda ingin
memakai %APPDATA%\Kunci\data.

Kunci rahasianya sendiri tidak pernah disimpan di folder itu, melainkan di Windows Credential
Manager milik pengguna Windows yang menambahkannya, di komputer itu. Di komputer lain, atau
dengan pengguna Windows lain, daftar akunnya tetap ada tetapi kodenya tidak: tambahkan lagi
akunnya di sana (pindai ulang kode QR-nya, atau jalankan "kunci uri" di komputer pertama untuk
melihat alamat otpauth://).
"@
# CRLF line endings, UTF-8 with BOM: Notepad on every Windows version shows it correctly.
$portableText = $portableText -replace "`r?`n", "`r`n"
[System.IO.File]::WriteAllText((Join-Path $stage 'PORTABLE.txt'), $portableText, (New-Object System.Text.UTF8Encoding $true))

$zip = Join-Path $dist "$base.zip"
if (Test-Path $zip) { Remove-Item -Force $zip }
Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.FileSystem
# includeBaseDirectory: the zip holds one folder, Kunci\, with everything in it.
[System.IO.Compression.ZipFile]::CreateFromDirectory($stage, $zip, [System.IO.Compression.CompressionLevel]::Optimal, $true)
Write-Host "Wrote $zip"

# --- Installer --------------------------------------------------------------------------------
function Find-Makensis {
    $cmd = Get-Command 'makensis' -ErrorAction SilentlyContinue
    if ($cmd) { return $cmd.Source }
    foreach ($dir in @(${env:ProgramFiles(x86)}, $env:ProgramFiles)) {
        if ($dir) {
            $candidate = Join-Path $dir 'NSIS\makensis.exe'
            if (Test-Path $candidate) { return $candidate }
        }
    }
    return $null
}

$makensis = Find-Makensis
if (-not $makensis -and $Installer) {
    if (-not (Get-Command 'choco' -ErrorAction SilentlyContinue)) { throw 'makensis not found and Chocolatey is not available to install NSIS' }
    Invoke-Native 'choco' @('install', 'nsis', '--yes', '--no-progress')
    $makensis = Find-Makensis
    if (-not $makensis) { throw 'NSIS was installed but makensis.exe was not found' }
}
if ($makensis) {
    $setup = Join-Path $dist "kunci-$version-windows-x86_64-setup.exe"
    Invoke-Native $makensis @('/V2', "/DVERSION=$version", "/DVERSION_QUAD=$versionQuad", "/DEXE=$exe", "/DOUTFILE=$setup", (Join-Path $root 'packaging\windows\kunci.nsi'))
    Write-Host "Wrote $setup"
} else {
    Write-Warning 'makensis (NSIS) not found: no installer built. Install NSIS or pass -Installer.'
}

Get-ChildItem $dist -File -Filter "kunci-$version-windows-*" | ForEach-Object {
    $hash = (Get-FileHash -Algorithm SHA256 $_.FullName).Hash.ToLower()
    Write-Host "$hash  $($_.Name)"
}
