"""Print-ready PDFs: booklet sheets for the print shop, letters and flyers for the mailing.

Pages are written one at a time by a streaming PDF writer (`pdfstream`), so printing a whole
campaign keeps memory bounded; QR codes are drawn as vector rectangles from their matrix.
"""
